// The editor protocol client (/ws/engine), written from docs/protocol.md alone: 11-byte frame
// header, little endian, one frame per client message, one or more frames per server message.

// Message types: z8run's numbers (its protocol crate) for what z8run defines, free numbers in
// the same ranges for this server's additions. docs/protocol.md has the table.
export const MSG = Object.freeze({
  PING: 0x0001,
  PONG: 0x0002,
  AUTHENTICATE: 0x0003,
  AUTH_RESULT: 0x0004,
  HELLO: 0x0005,
  FLOW_DEPLOY: 0x0103,
  FLOW_START: 0x0104,
  FLOW_STOP: 0x0105,
  SUBSCRIBE: 0x010a,
  UNSUBSCRIBE: 0x010b,
  INJECT: 0x010c,
  EXECUTION_STARTED: 0x0200,
  NODE_STARTED: 0x0201,
  NODE_COMPLETED: 0x0202,
  NODE_ERROR: 0x0203,
  EXECUTION_COMPLETED: 0x0205,
  EXECUTION_FAILED: 0x0206,
  NODE_STATUS: 0x0207,
  COUNTERS: 0x0208,
  NODE_WARN: 0x0209,
  DEBUG_SAMPLE: 0x0305,
  DEBUG_SKIPPED: 0x0306,
  OK: 0x0f00,
  ERROR: 0x0f01,
});

const HEADER = 11;
const MAX_PAYLOAD = 16 * 1024 * 1024;
const REPLIES = new Set([MSG.OK, MSG.ERROR, MSG.PONG, MSG.HELLO, MSG.AUTH_RESULT]);
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false }); // malformed UTF-8 -> U+FFFD

/** One frame: header + payload bytes. */
export function encodeFrame(msgType, correlationId, payload = new Uint8Array(0)) {
  const frame = new Uint8Array(HEADER + payload.length);
  const view = new DataView(frame.buffer);
  view.setUint8(0, 1);
  view.setUint16(1, msgType, true);
  view.setUint32(3, correlationId >>> 0, true);
  view.setUint32(7, payload.length, true);
  frame.set(payload, HEADER);
  return frame;
}

export function encodeJsonFrame(msgType, correlationId, body) {
  return encodeFrame(msgType, correlationId, encoder.encode(JSON.stringify(body)));
}

/** A reader over one payload; every read checks bounds and throws RangeError past the end. */
class Reader {
  constructor(view, offset, end) {
    this.view = view;
    this.pos = offset;
    this.end = end;
  }
  need(n) {
    if (this.pos + n > this.end) throw new RangeError('payload too short');
  }
  u8() {
    this.need(1);
    return this.view.getUint8(this.pos++);
  }
  u32() {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  u64() {
    this.need(8);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v; // opaque ids: printed unsigned
  }
  str16() {
    this.need(2);
    const n = this.view.getUint16(this.pos, true);
    this.pos += 2;
    this.need(n);
    const s = decoder.decode(new Uint8Array(this.view.buffer, this.view.byteOffset + this.pos, n));
    this.pos += n;
    return s;
  }
  bytes32() {
    const n = this.u32();
    this.need(n);
    const b = new Uint8Array(this.view.buffer, this.view.byteOffset + this.pos, n);
    this.pos += n;
    return b;
  }
  done() {
    if (this.pos !== this.end) throw new RangeError('trailing bytes in payload');
  }
}

/** Decodes one event payload into a plain object, or null for types this client ignores. */
export function decodeEvent(msgType, view, offset, length) {
  const r = new Reader(view, offset, offset + length);
  let e;
  switch (msgType) {
    case MSG.DEBUG_SAMPLE: {
      const flowId = r.str16();
      const nodeId = r.str16();
      const executionId = r.u64();
      const timestampMs = Number(r.u64());
      const truncated = r.u8();
      if (truncated > 1) throw new RangeError('truncated must be 0 or 1');
      const originalLen = r.u32();
      const preview = decoder.decode(r.bytes32());
      e = { kind: 'debug', flowId, nodeId, executionId, timestampMs, truncated: truncated === 1, originalLen, preview };
      break;
    }
    case MSG.DEBUG_SKIPPED:
      e = { kind: 'skipped', flowId: r.str16(), skipped: r.u32() };
      break;
    case MSG.NODE_STATUS:
      e = { kind: 'status', flowId: r.str16(), nodeId: r.str16(), text: r.str16() };
      break;
    case MSG.EXECUTION_STARTED:
    case MSG.NODE_STARTED:
    case MSG.NODE_COMPLETED:
      e = { kind: 'node-event', msgType, flowId: r.str16(), executionId: r.u64(), nodeId: r.str16(), value: r.u64() };
      break;
    case MSG.EXECUTION_COMPLETED:
      e = { kind: 'completed', flowId: r.str16(), executionId: r.u64(), durationNs: r.u64() };
      break;
    case MSG.NODE_ERROR:
    case MSG.EXECUTION_FAILED:
    case MSG.NODE_WARN:
      e = {
        kind: msgType === MSG.NODE_ERROR ? 'node-error' : msgType === MSG.NODE_WARN ? 'warn' : 'failed',
        flowId: r.str16(),
        executionId: r.u64(),
        nodeId: r.str16(),
        error: r.str16(),
      };
      break;
    case MSG.COUNTERS: {
      const flowId = r.str16();
      const count = r.u32();
      const nodes = [];
      for (let i = 0; i < count; i++) {
        const c = {
          nodeId: r.str16(),
          in: Number(r.u64()),
          out: Number(r.u64()),
          errors: Number(r.u64()),
          drops: Number(r.u64()),
          queued: r.u32(),
        };
        // processing time of the messages the engine timed since the previous COUNTERS
        c.samples = r.u32();
        c.p50Ns = Number(r.u64());
        c.p99Ns = Number(r.u64());
        nodes.push(c);
      }
      e = { kind: 'counters', flowId, nodes };
      break;
    }
    default:
      return null; // unknown event types are ignored, as the protocol asks
  }
  r.done();
  return e;
}

/**
 * Splits one server WebSocket message into frames: [{msgType, correlationId, offset, length}].
 * Throws RangeError on a frame whose header or length is wrong.
 */
export function splitFrames(buffer) {
  const view = new DataView(buffer);
  const frames = [];
  let pos = 0;
  while (pos < buffer.byteLength) {
    if (buffer.byteLength - pos < HEADER) throw new RangeError('short frame header');
    const version = view.getUint8(pos);
    if (version !== 1) throw new RangeError('version=' + version);
    const msgType = view.getUint16(pos + 1, true);
    const correlationId = view.getUint32(pos + 3, true);
    const length = view.getUint32(pos + 7, true);
    if (length > MAX_PAYLOAD || pos + HEADER + length > buffer.byteLength) {
      throw new RangeError('payload_len=' + length + ' exceeds the message');
    }
    frames.push({ msgType, correlationId, offset: pos + HEADER, length });
    pos += HEADER + length;
  }
  return { view, frames };
}

/**
 * A connection to /ws/engine that reconnects by itself. onEvent gets decoded events; onState gets
 * 'connecting' | 'live' | 'offline' | 'unauthorized'.
 */
export class EngineClient {
  constructor({ url, token, onEvent, onState }) {
    this.url = url;
    this.token = token;
    this.onEvent = onEvent;
    this.onState = onState || (() => {});
    this.nextId = 1;
    this.pending = new Map();
    this.subscriptions = new Set();
    this.closed = false;
    this.backoff = 500;
    this.connect();
  }

  connect() {
    if (this.closed) return;
    this.onState('connecting');
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.retry();
      return;
    }
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = async () => {
      try {
        await this.request(MSG.HELLO, { versions: [1] });
        const auth = await this.request(MSG.AUTHENTICATE, { token: this.token });
        if (!auth.ok) {
          this.onState('unauthorized');
          return;
        }
        this.backoff = 500;
        this.onState('live');
        for (const flowId of this.subscriptions) this.request(MSG.SUBSCRIBE, { flow_id: flowId }).catch(() => {});
        this.pinger = setInterval(() => this.request(MSG.PING).catch(() => {}), 30000);
      } catch {
        ws.close();
      }
    };
    ws.onmessage = (m) => this.receive(m.data);
    ws.onclose = () => {
      clearInterval(this.pinger);
      for (const { reject } of this.pending.values()) reject(new Error('connection closed'));
      this.pending.clear();
      this.onState('offline');
      this.retry();
    };
  }

  retry() {
    if (this.closed) return;
    setTimeout(() => this.connect(), this.backoff);
    this.backoff = Math.min(this.backoff * 2, 10000);
  }

  receive(data) {
    if (!(data instanceof ArrayBuffer)) return;
    let split;
    try {
      split = splitFrames(data);
    } catch (e) {
      console.warn('z8run: bad frame from server', e);
      return;
    }
    for (const f of split.frames) {
      if (REPLIES.has(f.msgType)) {
        const waiting = this.pending.get(f.correlationId);
        if (!waiting) continue;
        this.pending.delete(f.correlationId);
        let body = {};
        if (f.length > 0) {
          try {
            body = JSON.parse(decoder.decode(new Uint8Array(data, f.offset, f.length)));
          } catch {
            body = {};
          }
        }
        if (f.msgType === MSG.ERROR) waiting.reject(Object.assign(new Error(body.message || 'error'), body));
        else waiting.resolve(body);
        continue;
      }
      try {
        const event = decodeEvent(f.msgType, split.view, f.offset, f.length);
        if (event) this.onEvent(event);
      } catch (e) {
        console.warn('z8run: bad event payload', f.msgType, e);
      }
    }
  }

  request(msgType, body) {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.reject(new Error('not connected'));
    const id = this.nextId++;
    if (this.nextId > 0xffffffff) this.nextId = 1;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      ws.send(body === undefined ? encodeFrame(msgType, id) : encodeJsonFrame(msgType, id, body));
    });
  }

  subscribe(flowId) {
    this.subscriptions.add(flowId);
    return this.request(MSG.SUBSCRIBE, { flow_id: flowId }).catch(() => {});
  }

  unsubscribe(flowId) {
    this.subscriptions.delete(flowId);
    return this.request(MSG.UNSUBSCRIBE, { flow_id: flowId }).catch(() => {});
  }

  inject(flowId, nodeId, msg = {}) {
    return this.request(MSG.INJECT, { flow_id: flowId, node_id: nodeId, msg });
  }

  close() {
    this.closed = true;
    clearInterval(this.pinger);
    if (this.ws) this.ws.close();
  }
}
