/**
 * The message record of the hot path: {@link dev.z8run.io.message.MessageDescriptor} draws its
 * layout, {@link dev.z8run.io.message.MessageFlyweight} reads and writes it in place. Knows nothing
 * about rings, nodes or flows.
 */
package dev.z8run.io.message;
