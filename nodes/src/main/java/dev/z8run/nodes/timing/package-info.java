/**
 * Sources and timing: {@code inject} and {@code timer} start executions on their own ({@link
 * dev.z8run.nodes.timing.Ticker} keeps a fixed-rate or cron schedule, {@link
 * dev.z8run.nodes.timing.CronSchedule} computes cron times in a zone), and {@code delay} holds or
 * paces messages through the engine's deferred messages.
 *
 * <p>Time comes from the node context's clocks and timers, never from sleeping threads; must not
 * depend on another node family.
 */
package dev.z8run.nodes.timing;
