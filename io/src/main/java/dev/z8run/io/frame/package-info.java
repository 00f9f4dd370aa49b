/**
 * The binary editor protocol on {@code /ws/engine}: {@link dev.z8run.io.frame.FrameDescriptor}
 * draws the 11-byte frame header, {@link dev.z8run.io.frame.MessageType} numbers the messages,
 * {@link dev.z8run.io.frame.FrameFlyweight} validates and reads a received frame, {@link
 * dev.z8run.io.frame.FrameEncoder} writes one, and a flyweight/encoder pair per hot event draws and
 * codes its fixed binary payload. {@code docs/protocol.md} is the client's view of the same
 * contract.
 *
 * <p>Bytes only: this package knows nothing about sockets, sessions, flows or the engine, and it
 * must not reach into them. Decoders never throw on hostile input: they answer an error code or a
 * reason, and allocate only when they have to say what was wrong.
 */
package dev.z8run.io.frame;
