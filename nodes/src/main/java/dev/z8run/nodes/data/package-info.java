/**
 * The data nodes: {@code database} (PostgreSQL, MySQL/MariaDB, SQLite through HikariCP pools) and
 * {@code mqtt-in}, {@code mqtt-out}, {@code mqtt} (the HiveMQ MQTT client), each reaching its
 * server through a connection ({@link dev.z8run.nodes.support.ConnectionSettings}) whose one live
 * client per owner is kept by {@link dev.z8run.nodes.support.LiveConnections}.
 *
 * <p>Owns the clients' configuration, SQL parameter binding and result typing, and the MQTT
 * sessions (reconnect, bounded outgoing buffer, acknowledgement after the flow accepted a message).
 * Must not touch other node families or the engine's runtime: only the node SPI and {@code
 * nodes.support}.
 */
package dev.z8run.nodes.data;
