import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { api } from './api.js';

/**
 * Live node state from the event stream: status text, counters, last error. Listeners are told
 * at most once per animation frame, however many events arrive.
 */
export class LiveStore {
  constructor() {
    this.byNode = new Map();
    this.listeners = new Set();
    this.scheduled = false;
    this.subscribe = (l) => {
      this.listeners.add(l);
      return () => this.listeners.delete(l);
    };
    this.get = (id) => this.byNode.get(id);
    this.rateBase = new Map();
  }
  update(nodeId, change) {
    const before = this.byNode.get(nodeId) || {};
    this.byNode.set(nodeId, { ...before, ...change });
    this.notify();
  }
  apply(e) {
    if (e.kind === 'status') this.update(e.nodeId, { text: e.text });
    else if (e.kind === 'node-error') this.update(e.nodeId, { error: e.error, errorAt: Date.now() });
    else if (e.kind === 'counters') {
      const now = performance.now();
      for (const c of e.nodes) {
        const before = this.byNode.get(c.nodeId);
        const change = { counters: c };
        // the engine's per-node histograms: p50/p99 of what it timed since the last COUNTERS
        if (c.samples > 0) change.latency = { p50: c.p50Ns, p99: c.p99Ns, n: c.samples };
        // messages/s from two COUNTERS (totals) at least half a second apart
        const base = this.rateBase.get(c.nodeId);
        if (!base || c.in < base.in) this.rateBase.set(c.nodeId, { in: c.in, at: now });
        else if (now - base.at >= 500) {
          change.rate = ((c.in - base.in) * 1000) / (now - base.at);
          this.rateBase.set(c.nodeId, { in: c.in, at: now });
        }
        // an error stays until later messages get through without one
        if (
          before &&
          before.error &&
          before.counters &&
          c.errors === before.counters.errors &&
          c.out > before.counters.out &&
          Date.now() - before.errorAt > 2000
        )
          change.error = undefined;
        this.update(c.nodeId, change);
      }
    }
  }
  clear() {
    this.byNode = new Map();
    this.rateBase = new Map();
    this.notify();
  }
  notify() {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      for (const l of this.listeners) l();
    });
  }
}

/**
 * The debug samples: a ring of at most `capacity` entries (oldest dropped), a version number that
 * changes once per animation frame at most, and counts of what was skipped.
 */
export class DebugStore {
  constructor(capacity) {
    this.capacity = capacity;
    this.ring = new Array(capacity);
    this.start = 0;
    this.size = 0;
    this.received = 0;
    this.skipped = 0;
    this.pausedDrops = 0;
    this.paused = false;
    this.version = 0;
    this.listeners = new Set();
    this.scheduled = false;
    this.subscribe = (l) => {
      this.listeners.add(l);
      return () => this.listeners.delete(l);
    };
    this.getVersion = () => this.version;
  }
  push(e) {
    if (e.kind === 'skipped') {
      this.skipped += e.skipped;
      this.notify();
      return;
    }
    this.received++;
    if (this.paused) {
      this.pausedDrops++;
      this.notify();
      return;
    }
    if (this.size < this.capacity) {
      this.ring[(this.start + this.size) % this.capacity] = e;
      this.size++;
    } else {
      this.ring[this.start] = e;
      this.start = (this.start + 1) % this.capacity;
    }
    this.notify();
  }
  at(i) {
    return this.ring[(this.start + i) % this.capacity];
  }
  clear() {
    this.ring = new Array(this.capacity);
    this.start = 0;
    this.size = 0;
    this.skipped = 0;
    this.pausedDrops = 0;
    this.notify();
  }
  setPaused(p) {
    this.paused = p;
    this.notify();
  }
  notify() {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.version++;
      for (const l of this.listeners) l();
    });
  }
}

export function BottomPanel({ flowId, debug, nodes, problems }) {
  const [tab, setTab] = useState('debug');
  const [open, setOpen] = useState(true);
  return (
    <section className={'dock' + (open ? '' : ' closed')} data-testid="bottom-panel">
      <nav>
        {['debug', 'executions', 'problems'].map((t) => (
          <button
            key={t}
            className={tab === t && open ? 'active' : ''}
            data-testid={'tab-' + t}
            onClick={() => {
              setTab(t);
              setOpen(true);
            }}
          >
            {t}
            {t === 'problems' && problems.length ? ` (${problems.length})` : ''}
          </button>
        ))}
        <span className="spacer" />
        <button onClick={() => setOpen(!open)}>{open ? '▾' : '▴'}</button>
      </nav>
      {open && tab === 'debug' && <DebugPanel debug={debug} nodes={nodes} />}
      {open && tab === 'executions' && <ExecutionsPanel flowId={flowId} />}
      {open && tab === 'problems' && (
        <ul className="problems" data-testid="problems-list">
          {problems.length === 0 && <li className="hint">No problems: the flow validates.</li>}
          {problems.map((p, i) => (
            <li key={i} data-node-id={p.node_id}>
              <code>{p.node_id || 'flow'}</code> {p.field && <code>{p.field}</code>} {p.message}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

const ROW = 22;

function DebugPanel({ debug, nodes }) {
  useSyncExternalStore(debug.subscribe, debug.getVersion);
  const [filter, setFilter] = useState('');
  const [picked, setPicked] = useState(null);
  const [scroll, setScroll] = useState({ top: 0, height: 200 });
  const [follow, setFollow] = useState(true);
  const box = useRef(null);
  const debugNodes = useMemo(() => nodes.filter((n) => n.data.type === 'debug'), [nodes]);
  const names = useMemo(() => new Map(nodes.map((n) => [n.id, n.data.name || n.id])), [nodes]);

  // the filtered view: indices into the ring; rebuilt per frame only when a filter is set
  const total = debug.size;
  const indices = useMemo(() => {
    if (!filter) return null;
    const out = [];
    for (let i = 0; i < debug.size; i++) if (debug.at(i).nodeId === filter) out.push(i);
    return out;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [filter, debug.version]);
  const count = indices ? indices.length : total;
  const entry = (i) => debug.at(indices ? indices[i] : i);

  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = count * ROW;
  }, [count, follow]);

  const onScroll = useCallback((e) => {
    const el = e.currentTarget;
    setScroll({ top: el.scrollTop, height: el.clientHeight });
    setFollow(el.scrollTop + el.clientHeight >= el.scrollHeight - ROW);
  }, []);

  const first = Math.max(0, Math.floor(scroll.top / ROW) - 5);
  const last = Math.min(count, Math.ceil((scroll.top + scroll.height) / ROW) + 5);
  const rows = [];
  for (let i = first; i < last; i++) {
    const e = entry(i);
    rows.push(
      <div
        key={i}
        className={'debug-row' + (picked === e ? ' picked' : '')}
        style={{ top: i * ROW }}
        data-testid="debug-row"
        onClick={() => setPicked(picked === e ? null : e)}
      >
        <span className="time">{new Date(e.timestampMs).toISOString().slice(11, 23)}</span>
        <span className="node" title={e.nodeId}>
          {names.get(e.nodeId) || e.nodeId}
        </span>
        <span className="preview">{e.preview}</span>
        {e.truncated && <span className="warn"> (cut: {e.originalLen} bytes)</span>}
      </div>,
    );
  }
  let pretty = null;
  if (picked) {
    try {
      pretty = JSON.stringify(JSON.parse(picked.preview), null, 2);
    } catch {
      pretty = picked.preview;
    }
    if (picked.truncated) pretty += '\n… (preview cut short; ' + picked.originalLen + ' bytes in all)';
  }
  return (
    <div className="debug" data-testid="debug-panel">
      <div className="row">
        <select value={filter} onChange={(e) => setFilter(e.target.value)} data-testid="debug-filter">
          <option value="">all debug nodes</option>
          {debugNodes.map((n) => (
            <option key={n.id} value={n.id}>
              {n.data.name || n.id}
            </option>
          ))}
        </select>
        <button onClick={() => debug.setPaused(!debug.paused)} data-testid="debug-pause">
          {debug.paused ? 'Resume' : 'Pause'}
        </button>
        <button
          onClick={() => {
            debug.clear();
            setPicked(null);
          }}
          data-testid="debug-clear"
        >
          Clear
        </button>
        <span className="hint" data-testid="debug-count">
          {count} shown · {debug.received} received
          {debug.skipped ? ` · ${debug.skipped} skipped by the server's rate limit` : ''}
          {debug.pausedDrops ? ` · ${debug.pausedDrops} while paused` : ''}
        </span>
      </div>
      <div className="debug-body">
        <div className="debug-list" ref={box} onScroll={onScroll} data-testid="debug-list">
          <div style={{ height: count * ROW, position: 'relative' }}>{rows}</div>
        </div>
        {pretty !== null && (
          <pre className="debug-detail" data-testid="debug-detail">
            {pretty}
          </pre>
        )}
      </div>
    </div>
  );
}

function ExecutionsPanel({ flowId }) {
  const [executions, setExecutions] = useState(null);
  const [error, setError] = useState('');
  const [open, setOpen] = useState(null);
  const reload = useCallback(() => {
    api
      .executions(flowId)
      .then((r) => {
        setExecutions(r.executions || []);
        setError('');
      })
      .catch((e) => setError(e.message));
  }, [flowId]);
  useEffect(() => {
    reload();
    const t = setInterval(reload, 3000);
    return () => clearInterval(t);
  }, [reload]);
  return (
    <div className="executions" data-testid="executions-panel">
      <div className="row">
        <button onClick={reload} data-testid="executions-refresh">
          Refresh
        </button>
        {error && <span className="error">{error}</span>}
      </div>
      {executions && executions.length === 0 && (
        <p className="hint" data-testid="executions-empty">
          No executions recorded yet.
        </p>
      )}
      {executions && executions.length > 0 && (
        <table className="list">
          <thead>
            <tr>
              <th>started</th>
              <th>status</th>
              <th>trigger</th>
              <th>duration</th>
              <th>failed at</th>
            </tr>
          </thead>
          <tbody>
            {executions.map((x) => [
              <tr
                key={x.id}
                data-testid="execution-row"
                onClick={() => setOpen(open === x.id ? null : x.id)}
                className={x.status}
              >
                <td>{x.started_at}</td>
                <td>{x.status}</td>
                <td>{x.trigger}</td>
                <td>{x.duration_ms} ms</td>
                <td>
                  {x.failed_node || ''} {x.error || ''}
                </td>
              </tr>,
              open === x.id && (
                <tr key={x.id + '/nodes'}>
                  <td colSpan={5}>
                    <table className="list inner" data-testid="execution-nodes">
                      <thead>
                        <tr>
                          <th>node</th>
                          <th>time</th>
                          <th>input sample</th>
                        </tr>
                      </thead>
                      <tbody>
                        {(x.nodes || []).map((n, i) => (
                          <tr key={i}>
                            <td>{n.node}</td>
                            <td>{n.duration_us} µs</td>
                            <td>
                              <code>
                                {typeof n.input_sample === 'string' ? n.input_sample : JSON.stringify(n.input_sample)}
                              </code>
                              {n.sample_truncated ? ' …' : ''}
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </td>
                </tr>
              ),
            ])}
          </tbody>
        </table>
      )}
    </div>
  );
}
