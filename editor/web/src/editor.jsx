import {
  ReactFlow,
  ReactFlowProvider,
  Background,
  MiniMap,
  Controls,
  Handle,
  Position,
  useReactFlow,
  ViewportPortal,
  applyNodeChanges,
  applyEdgeChanges,
} from '@xyflow/react';
import { categoryColor, geometry, iconOf, isLinkIn, isLinkOut, labelOf, outputPorts, PORT } from './nodes.js';
import {
  createContext,
  memo,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
} from 'react';
import { api, flowDocument, token } from './api.js';
import { EngineClient } from './protocol.js';
import { PropertiesPanel } from './properties.jsx';
import { BottomPanel, DebugStore, LiveStore } from './panels.jsx';
import { fromNodeRed, putClipboard, takeClipboard, toNodeRed } from './clipboard.js';
import { openTab, TabBar } from './tabs.jsx';
import { Overview, OVERVIEW_ZOOM } from './overview.jsx';
import { exposeForTests } from './testing/hooks.js';
import { ContextMenu, contextItems } from './contextmenu.jsx';
import { diffCanvas, RevisionsPanel } from './revisions.jsx';

/** The flow-level fields the editor keeps beside nodes and wires. */
function metaOf(doc) {
  return {
    id: doc.id,
    name: doc.name || '',
    description: doc.description || '',
    groups: doc.groups || [],
    config_nodes: doc.config_nodes || [],
    subflows: doc.subflows || [],
  };
}

const CatalogContext = createContext(new Map());
const ProblemsContext = createContext(null);
const LiveContext = createContext(null);
const InjectContext = createContext(null);
const HISTORY_LIMIT = 200;
const GRID = 20;

export function FlowEditor({ flowId }) {
  return (
    <ReactFlowProvider>
      <Editor flowId={flowId} />
    </ReactFlowProvider>
  );
}

// ---- flow document <-> React Flow --------------------------------------------------------

function edgeId(w) {
  return w.from + ':' + w.fromPort + '>' + w.to + ':' + w.toPort;
}

function toCanvas(doc, catalog) {
  return {
    nodes: (doc.nodes || []).map((n) =>
      withGeometry(
        {
          id: n.id,
          type: 'z8',
          position: { x: n.x || 0, y: n.y || 0 },
          data: { type: n.type, name: n.name || '', disabled: !!n.disabled, config: n.config || {} },
        },
        catalog,
      ),
    ),
    edges: (doc.wires || []).map((w) => ({
      id: edgeId(w),
      source: w.from,
      sourceHandle: 'out-' + (w.fromPort || 0),
      target: w.to,
      targetHandle: 'in-' + (w.toPort || 0),
    })),
  };
}

function toDocument(meta, nodes, edges) {
  return flowDocument({
    ...meta,
    nodes: nodes.map((n) => ({
      id: n.id,
      type: n.data.type,
      name: n.data.name,
      x: Math.round(n.position.x),
      y: Math.round(n.position.y),
      disabled: n.data.disabled,
      config: n.data.config,
    })),
    wires: edges.map((e) => ({
      from: e.source,
      fromPort: portIndex(e.sourceHandle),
      to: e.target,
      toPort: portIndex(e.targetHandle),
    })),
  });
}

/** The viewport fitView lands on, estimated from positions (node centres) before any node is measured. */
function fittedViewport(nodes) {
  let minX = Infinity,
    minY = Infinity,
    maxX = -Infinity,
    maxY = -Infinity;
  for (const n of nodes) {
    minX = Math.min(minX, n.position.x - (n.width || 100) / 2);
    minY = Math.min(minY, n.position.y - 15);
    maxX = Math.max(maxX, n.position.x + (n.width || 100) / 2);
    maxY = Math.max(maxY, n.position.y + 15);
  }
  const width = Math.max(200, window.innerWidth - 170 - 300);
  const height = Math.max(200, window.innerHeight - 37 - 240);
  const zoom = Math.min(1.5, Math.max(0.05, Math.min(width / ((maxX - minX) * 1.2), height / ((maxY - minY) * 1.2))));
  return {
    x: (width - (maxX - minX) * zoom) / 2 - minX * zoom,
    y: (height - (maxY - minY) * zoom) / 2 - minY * zoom,
    zoom,
  };
}

function withGeometry(node, catalog) {
  const g = geometry(node.data.type, catalog.get(node.data.type), node.data.name, node.data.config);
  if (
    node.measured &&
    node.height === g.height &&
    node.width === g.width &&
    node.handles &&
    node.handles.length === g.handles.length &&
    node.handles.every((h, i) => h.x === g.handles[i].x && h.y === g.handles[i].y)
  )
    return node;
  return {
    ...node,
    width: g.width,
    height: g.height,
    measured: { width: g.width, height: g.height },
    handles: g.handles,
  };
}

function portIndex(handle) {
  return handle ? Number(handle.slice(handle.indexOf('-') + 1)) : 0;
}

/** The dashed wires from link-out (and link-call) nodes to the link-in nodes they name. */
function linkWires(nodes) {
  const ids = new Set();
  for (const n of nodes) if (isLinkIn(n.data.type)) ids.add(n.id);
  if (!ids.size) return [];
  const wires = [];
  for (const n of nodes) {
    if (!isLinkOut(n.data.type) || !Array.isArray(n.data.config.links)) continue;
    for (const target of n.data.config.links) {
      if (!ids.has(target)) continue;
      wires.push({
        id: 'link:' + n.id + '>' + target,
        source: n.id,
        sourceHandle: 'link-out',
        target,
        targetHandle: 'link-in',
        className: 'link-wire',
        selectable: false,
        deletable: false,
        focusable: false,
        data: { virtual: true },
      });
    }
  }
  return wires;
}

function defaultConfig(spec) {
  const config = {};
  for (const f of spec.config || []) {
    if (f.default !== null && f.default !== undefined) config[f.name] = f.default;
  }
  return config;
}

function newNodeId(type, taken) {
  for (;;) {
    const id = type.replace(/[^A-Za-z0-9_-]/g, '') + '_' + Math.random().toString(36).slice(2, 8);
    if (!taken.has(id)) return id;
  }
}

/**
 * The server's problems by node id. set() keeps a node's array when its problems did not change,
 * and tells only the nodes whose problems changed: a validation answer re-renders no other node.
 */
class ProblemStore {
  constructor() {
    this.byNode = new Map();
    this.listeners = new Set();
    this.subscribe = (l) => {
      this.listeners.add(l);
      return () => this.listeners.delete(l);
    };
    this.get = (id) => this.byNode.get(id);
  }
  set(problems) {
    const next = new Map();
    for (const p of problems) {
      if (!p.node_id) continue;
      if (!next.has(p.node_id)) next.set(p.node_id, []);
      next.get(p.node_id).push(p);
    }
    let changed = next.size !== this.byNode.size;
    for (const [id, list] of next) {
      const before = this.byNode.get(id);
      if (before && JSON.stringify(before) === JSON.stringify(list)) next.set(id, before);
      else changed = true;
    }
    if (changed) {
      this.byNode = next;
      for (const l of this.listeners) l();
    }
    return this.byNode;
  }
}

// ---- the node on the canvas --------------------------------------------------------------

function ms(ns) {
  const v = ns / 1e6;
  return v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v.toFixed(2);
}

const Z8Node = memo(function Z8Node({ id, data, selected }) {
  const catalog = useContext(CatalogContext);
  const problemStore = useContext(ProblemsContext);
  const problems = useSyncExternalStore(problemStore.subscribe, () => problemStore.get(id));
  const live = useContext(LiveContext);
  const status = useSyncExternalStore(live.subscribe, () => live.get(id));
  const inject = useContext(InjectContext);
  const spec = catalog.get(data.type);
  const { inputs, outputs, height, width, label, portY } = geometry(data.type, spec, data.name, data.config);
  let className = 'z8-node';
  if (selected) className += ' selected';
  if (problems) className += ' invalid';
  if (data.disabled) className += ' disabled';
  if (!spec) className += ' unknown';
  const color = categoryColor(spec && spec.category);
  return (
    <div
      className={className}
      style={{ width, height, background: color }}
      data-testid="node"
      data-node-id={id}
      data-node-type={data.type}
    >
      {inputs.map((p, i) => (
        <Handle
          key={'i' + i}
          type="target"
          position={Position.Left}
          id={'in-' + i}
          style={{ top: portY(i, inputs.length) + PORT / 2 }}
          className="port"
          data-testid="port-in"
          data-port-type={p.type}
          title={p.name + ': ' + p.type}
        />
      ))}
      {isLinkIn(data.type) && (
        <Handle type="target" position={Position.Left} id="link-in" className="link-handle" isConnectable={false} />
      )}
      {isLinkOut(data.type) && (
        <Handle type="source" position={Position.Right} id="link-out" className="link-handle" isConnectable={false} />
      )}
      {data.type === 'inject' && inject && (
        <button
          className="inject-button nodrag"
          data-testid="inject-button"
          title="send a message (needs the flow running)"
          onClick={(e) => {
            e.stopPropagation();
            inject(id);
          }}
        >
          ▶
        </button>
      )}
      <span className="icon" aria-hidden="true">
        {iconOf(data.type)}
      </span>
      <span className="title" data-testid="node-label">
        {label}
      </span>
      {problems && (
        <div className="problem-badge" data-testid="node-problem" title={problems.map((p) => p.message).join('\n')}>
          {problems.length}
        </div>
      )}
      {status && status.latency && (
        <div
          className="node-latency"
          data-testid="node-latency"
          title={
            'processing time in the engine: p50 and p99 of the ' +
            status.latency.n +
            ' messages it timed in the last second (one in 16, and every traced one); messages/s from the counters'
          }
        >
          p50 {ms(status.latency.p50)} p99 {ms(status.latency.p99)} ms
        </div>
      )}
      {status && (status.text || status.error || status.counters) && (
        <div
          className={'node-status' + (status.error ? ' error' : '')}
          data-testid="node-status"
          title={status.error || status.text || ''}
        >
          {status.error ? '✖ ' + status.error : status.text || ''}
          {status.counters &&
            ` ${status.counters.in}→${status.counters.out}${status.counters.errors ? ' ✖' + status.counters.errors : ''}`}
          {status.rate !== undefined && (
            <span className="rate" data-testid="node-rate">
              {' '}
              · {status.rate.toFixed(status.rate < 10 ? 1 : 0)}/s
            </span>
          )}
        </div>
      )}
      {outputs.map((p, i) => (
        <Handle
          key={'o' + i}
          type="source"
          position={Position.Right}
          id={'out-' + i}
          style={{ top: portY(i, outputs.length) + PORT / 2 }}
          className="port"
          data-testid="port-out"
          data-port-type={p.type}
          title={p.name + ': ' + p.type}
        />
      ))}
    </div>
  );
});

const NODE_TYPES = { z8: Z8Node };
const NODE_ORIGIN = [0.5, 0.5];

/**
 * Groups: boxes around their members (Node-RED's style: stroke, fill, fill-opacity, label), drawn
 * in flow coordinates under the nodes; the box follows the members.
 */
function Groups({ groups, nodes, onChange }) {
  if (!groups.length) return null;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  return groups.map((g) => {
    let x0 = Infinity,
      y0 = Infinity,
      x1 = -Infinity,
      y1 = -Infinity;
    for (const id of g.nodes) {
      const n = byId.get(id);
      if (!n) continue;
      const w = n.width || 100,
        h = n.height || 30;
      x0 = Math.min(x0, n.position.x - w / 2);
      y0 = Math.min(y0, n.position.y - h / 2);
      x1 = Math.max(x1, n.position.x + w / 2);
      y1 = Math.max(y1, n.position.y + h / 2);
    }
    if (x0 === Infinity) return null;
    const st = g.style || {};
    const pad = 20;
    return (
      <div
        key={g.id}
        className="z8-group"
        data-testid="group"
        data-group-id={g.id}
        style={{
          left: x0 - pad,
          top: y0 - pad - (st.label !== false ? 14 : 0),
          width: x1 - x0 + 2 * pad,
          height: y1 - y0 + 2 * pad + (st.label !== false ? 14 : 0),
          borderColor: st.stroke || '#999',
          '--group-fill': st.fill || 'none',
          '--group-fill-opacity': st['fill-opacity'] ?? 1,
        }}
      >
        {st.label !== false && (
          <input
            className="group-label nodrag"
            data-testid="group-label"
            style={{ color: st.color || '#333' }}
            value={g.name || ''}
            onChange={(e) => onChange(g.id, (x) => ({ ...x, name: e.target.value }))}
          />
        )}
      </div>
    );
  });
}

/** The flow's config nodes (brokers, connections), with the nodes that use each. */
function ConfigNodes({ configNodes, nodes }) {
  if (!configNodes.length) return null;
  return (
    <section className="config-nodes" data-testid="config-nodes">
      <h4>Configuration nodes</h4>
      {configNodes.map((c) => {
        const users = nodes.filter((n) => Object.values(n.data.config || {}).includes(c.id));
        return (
          <div key={c.id} className="config-node" data-testid="config-node" data-config-id={c.id}>
            <b>{c.name || c.id}</b> <small>{c.type}</small>
            <div className="hint">
              {users.length ? 'used by ' + users.map((n) => n.data.name || n.id).join(', ') : 'unused'}
            </div>
          </div>
        );
      })}
    </section>
  );
}

function minimapColor(node) {
  return node.selected ? '#2563eb' : '#94a3b8';
}

/** The debug panel's "current flow only" toggle, kept across pages. */
const CURRENT_ONLY_KEY = 'z8.debug.currentOnly';
/** How many other running flows the debug panel follows at most. */
const MAX_OTHER_FLOWS = 20;

// ---- the editor --------------------------------------------------------------------------

function Editor({ flowId }) {
  const flow = useReactFlow();
  const [catalog, setCatalog] = useState(null);
  const [meta, setMeta] = useState(null);
  const [nodes, setNodes] = useState([]);
  const [edges, setEdges] = useState([]);
  const [running, setRunning] = useState(false);
  const [problems, setProblems] = useState([]);
  const [hint, setHint] = useState(null);
  const [snap, setSnap] = useState(true);
  const [loadError, setLoadError] = useState('');
  const [draftRestored, setDraftRestored] = useState(false);
  const [savedJson, setSavedJson] = useState(null);
  const [deployedJson, setDeployedJson] = useState(null);
  const [busy, setBusy] = useState('');
  const [quickAdd, setQuickAdd] = useState(false);
  const [finding, setFinding] = useState(false);
  const [menu, setMenu] = useState(null);
  const [history, setHistory] = useState(false);
  const [diff, setDiff] = useState(null);
  const [panels, setPanels] = useState({ palette: true, properties: true });
  const [liveState, setLiveState] = useState('offline');
  const [, setHistoryTick] = useState(0);
  const live = useMemo(() => new LiveStore(), []);
  const debug = useMemo(() => new DebugStore(10000), []);
  const current = useRef({ nodes, edges });
  current.current = { nodes, edges };
  const undoStack = useRef([]);
  const redoStack = useRef([]);
  const lastEdit = useRef({ key: null, at: 0 });
  const dragStart = useRef(null);
  const pointer = useRef(null);
  const hintTimer = useRef(0);

  const showHint = useCallback((text, kind = 'warn') => {
    setHint({ text, kind });
    clearTimeout(hintTimer.current);
    hintTimer.current = setTimeout(() => setHint(null), 6000);
  }, []);

  // load the catalogue and the flow (or the local draft of it)
  useEffect(() => {
    let cancelled = false;
    (async () => {
      try {
        const [nodesAnswer, stored] = await Promise.all([api.nodes(), api.flow(flowId)]);
        if (cancelled) return;
        const map = new Map(nodesAnswer.nodes.map((n) => [n.type, n]));
        const storedDoc = flowDocument(stored);
        const storedJson = JSON.stringify(storedDoc);
        let doc = storedDoc;
        const draftText = localStorage.getItem('z8.draft.' + flowId);
        if (draftText) {
          try {
            const draft = JSON.parse(draftText);
            if (JSON.stringify(draft.doc) !== storedJson) {
              doc = draft.doc;
              setDraftRestored(true);
            }
          } catch {
            localStorage.removeItem('z8.draft.' + flowId);
          }
        }
        setCatalog(map);
        setMeta(metaOf({ ...doc, id: storedDoc.id }));
        openTab(storedDoc.id, doc.name);
        const canvas = toCanvas(doc, map);
        if (canvas.nodes.length) flow.setViewport(fittedViewport(canvas.nodes));
        setNodes(canvas.nodes);
        setEdges(canvas.edges);
        setSavedJson(storedJson);
        setRunning(!!stored.running);
        setDeployedJson(stored.running ? storedJson : null);
        exposeForTests('LoadedAt', performance.now());
        if (canvas.nodes.length) requestAnimationFrame(() => flow.fitView({ padding: 0.1, maxZoom: 1.5 }));
      } catch (e) {
        if (!cancelled) setLoadError(e.message);
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [flowId, flow]);

  // the live connection: node status, counters, debug samples
  const engine = useRef(null);
  const [debugCurrentOnly, setDebugCurrentOnly] = useState(() => localStorage.getItem(CURRENT_ONLY_KEY) === 'true');
  const currentOnly = useRef(debugCurrentOnly);
  currentOnly.current = debugCurrentOnly;
  const [flowNames, setFlowNames] = useState(() => new Map());
  useEffect(() => {
    const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    const toDebug = (e) => {
      if (e.kind === 'debug' || e.kind === 'skipped') debug.push(e);
      else if (e.kind === 'warn' || e.kind === 'node-error') {
        // node.warn, node.error and node errors go into the debug stream too, as in Node-RED
        debug.push({
          kind: 'debug',
          flowId: e.flowId,
          nodeId: e.nodeId,
          executionId: e.executionId,
          timestampMs: Date.now(),
          truncated: false,
          originalLen: 0,
          preview: (e.kind === 'warn' ? '⚠ ' : '✖ ') + e.error,
          level: e.kind,
        });
      }
    };
    const client = new EngineClient({
      url: scheme + location.host + '/ws/engine',
      token: token(),
      onState: setLiveState,
      onEvent: (e) => {
        if (e.flowId !== flowId) {
          // the other flows' debug messages (subscribed below while "current flow only" is off)
          if (!currentOnly.current) toDebug(e);
          return;
        }
        if (e.kind !== 'debug' && e.kind !== 'skipped') live.apply(e);
        toDebug(e);
      },
    });
    client.subscribe(flowId);
    engine.current = client;
    exposeForTests('Engine', client);
    return () => {
      engine.current = null;
      client.close();
    };
  }, [flowId, live, debug]);

  // "current flow only" off: subscribe to the user's other running flows too, at most
  // MAX_OTHER_FLOWS of them (each brings its counters once a second as well), re-read every 10 s
  useEffect(() => {
    localStorage.setItem(CURRENT_ONLY_KEY, String(debugCurrentOnly));
    const client = engine.current;
    if (debugCurrentOnly || liveState !== 'live' || !client) return;
    const others = new Set();
    let stopped = false;
    const refresh = () =>
      api.flows().then(
        (r) => {
          if (stopped) return;
          setFlowNames(new Map(r.flows.map((f) => [f.id, f.name || f.id])));
          const running = r.flows
            .filter((f) => f.id !== flowId && f.status === 'running')
            .slice(0, MAX_OTHER_FLOWS)
            .map((f) => f.id);
          for (const id of others) {
            if (!running.includes(id)) {
              others.delete(id);
              client.unsubscribe(id);
            }
          }
          for (const id of running) {
            if (!others.has(id)) {
              others.add(id);
              client.subscribe(id);
            }
          }
        },
        () => {},
      );
    refresh();
    const timer = setInterval(refresh, 10000);
    return () => {
      stopped = true;
      clearInterval(timer);
      for (const id of others) client.unsubscribe(id);
    };
  }, [debugCurrentOnly, liveState, flowId]);

  const doc = useMemo(() => (meta ? toDocument(meta, nodes, edges) : null), [meta, nodes, edges]);
  const docJson = useMemo(() => (doc ? JSON.stringify(doc) : null), [doc]);
  const unsaved = docJson !== null && docJson !== savedJson;
  const undeployed = running && docJson !== deployedJson;

  // local draft: every edit is kept until saved (shortly after it, and at once when the page goes)
  const draft = useRef({ unsaved: false, docJson: null, undeployed: false });
  draft.current = { unsaved, docJson, undeployed };
  const flushDraft = useCallback(() => {
    const d = draft.current;
    if (!d.docJson) return;
    if (d.unsaved)
      localStorage.setItem('z8.draft.' + flowId, JSON.stringify({ doc: JSON.parse(d.docJson), at: Date.now() }));
    else localStorage.removeItem('z8.draft.' + flowId);
  }, [flowId]);
  useEffect(() => {
    if (!docJson) return;
    const t = setTimeout(flushDraft, 200);
    return () => clearTimeout(t);
  }, [docJson, unsaved, flushDraft]);

  // closing the tab with unsaved or undeployed changes asks first
  useEffect(() => {
    const ask = (e) => {
      flushDraft();
      if (draft.current.unsaved || draft.current.undeployed) {
        e.preventDefault();
        e.returnValue = '';
      }
    };
    window.addEventListener('beforeunload', ask);
    window.addEventListener('pagehide', flushDraft);
    return () => {
      window.removeEventListener('beforeunload', ask);
      window.removeEventListener('pagehide', flushDraft);
      flushDraft();
    };
  }, [flushDraft]);

  // the server's validation, shortly after each edit
  useEffect(() => {
    if (!docJson) return;
    const t = setTimeout(() => {
      api
        .validate(docJson)
        .then((r) => setProblems(r.problems || []))
        .catch(() => {});
    }, 300);
    return () => clearTimeout(t);
  }, [docJson]);

  const problemStore = useMemo(() => new ProblemStore(), []);
  useEffect(() => {
    problemStore.set(problems);
  }, [problems, problemStore]);

  // ---- history: every edit goes through edit(); undo/redo swap whole snapshots
  const record = useCallback((coalesceKey) => {
    const now = performance.now();
    if (coalesceKey && lastEdit.current.key === coalesceKey && now - lastEdit.current.at < 1000) {
      lastEdit.current.at = now;
      return;
    }
    lastEdit.current = { key: coalesceKey || null, at: now };
    undoStack.current.push(current.current);
    if (undoStack.current.length > HISTORY_LIMIT) undoStack.current.shift();
    redoStack.current = [];
    setHistoryTick((t) => t + 1);
  }, []);

  const edit = useCallback(
    (mutate, coalesceKey) => {
      record(coalesceKey);
      const next = mutate(current.current);
      current.current = next;
      setNodes(next.nodes);
      setEdges(next.edges);
    },
    [record],
  );

  const undo = useCallback(() => {
    const previous = undoStack.current.pop();
    if (!previous) return;
    redoStack.current.push(current.current);
    lastEdit.current = { key: null, at: 0 };
    setNodes(previous.nodes);
    setEdges(previous.edges);
    setHistoryTick((t) => t + 1);
  }, []);

  const redo = useCallback(() => {
    const next = redoStack.current.pop();
    if (!next) return;
    undoStack.current.push(current.current);
    lastEdit.current = { key: null, at: 0 };
    setNodes(next.nodes);
    setEdges(next.edges);
    setHistoryTick((t) => t + 1);
  }, []);

  // ---- React Flow callbacks
  const onNodesChange = useCallback((changes) => {
    // removals go through deleteSelection (history); positions while dragging are recorded at drag
    // stop; a measured size equal to the one the node declares (geometry()) is dropped, so that the
    // first measurement does not re-render every node once more
    const kept = changes.filter((c) => c.type !== 'remove');
    if (!kept.length) return;
    setNodes((ns) => {
      let byId = null;
      const real = kept.filter((c) => {
        if (c.type !== 'dimensions' || !c.dimensions || c.resizing) return true;
        if (!byId) byId = new Map(ns.map((n) => [n.id, n]));
        const n = byId.get(c.id);
        return (
          !n || !n.measured || n.measured.width !== c.dimensions.width || n.measured.height !== c.dimensions.height
        );
      });
      return real.length ? applyNodeChanges(real, ns) : ns;
    });
  }, []);
  const onEdgesChange = useCallback((changes) => {
    const kept = changes.filter((c) => c.type !== 'remove');
    if (kept.length) setEdges((es) => applyEdgeChanges(kept, es));
  }, []);
  const onNodeDragStart = useCallback(() => {
    dragStart.current = current.current;
  }, []);
  const onNodeDragStop = useCallback(() => {
    const before = dragStart.current;
    dragStart.current = null;
    if (!before) return;
    const moved = current.current.nodes.some((n, i) => {
      const b = before.nodes[i];
      return !b || b.position.x !== n.position.x || b.position.y !== n.position.y;
    });
    if (moved) {
      undoStack.current.push(before);
      redoStack.current = [];
      lastEdit.current = { key: null, at: 0 };
      setHistoryTick((t) => t + 1);
    }
  }, []);

  const specOf = useCallback(
    (nodeId) => {
      const n = current.current.nodes.find((x) => x.id === nodeId);
      return n ? { node: n, spec: catalog.get(n.data.type) } : null;
    },
    [catalog],
  );

  const onConnect = useCallback(
    (c) => {
      const from = specOf(c.source);
      const to = specOf(c.target);
      if (!from || !to) return;
      const fromPort = portIndex(c.sourceHandle);
      const toPort = portIndex(c.targetHandle);
      const outs = outputPorts(from.node.data.type, from.spec, from.node.data.config);
      const outType = (outs[fromPort] || { type: 'any' }).type;
      const inType = ((to.spec && to.spec.inputs[toPort]) || { type: 'any' }).type;
      const name = (x) => "'" + (x.node.data.name || x.node.id) + "'";
      if (outType !== inType && outType !== 'any' && inType !== 'any') {
        showHint(
          `Not wired: ${name(from)} sends ${outType} but ${name(to)} takes ${inType}; ports must have the same type or one of them be "any".`,
        );
        return;
      }
      // loops (a wire back to an earlier node, or to the node itself) are allowed, as in Node-RED
      const es = current.current.edges;
      const wire = { from: c.source, fromPort, to: c.target, toPort };
      const id = edgeId(wire);
      if (es.some((e) => e.id === id)) {
        showHint('Those ports are already wired.');
        return;
      }
      edit((s) => ({
        nodes: s.nodes,
        edges: s.edges.concat({
          id,
          source: c.source,
          sourceHandle: c.sourceHandle,
          target: c.target,
          targetHandle: c.targetHandle,
        }),
      }));
    },
    [specOf, edit, showHint],
  );

  const addNode = useCallback(
    (type, position) => {
      const spec = catalog.get(type);
      if (!spec) return;
      const taken = new Set(current.current.nodes.map((n) => n.id));
      const id = newNodeId(type, taken);
      let at = position;
      if (!at) {
        const pane = document.querySelector('.react-flow');
        const r = pane.getBoundingClientRect();
        const p = pointer.current || { x: r.left + r.width / 2, y: r.top + r.height / 2 };
        at = flow.screenToFlowPosition(p);
      }
      if (snap) at = { x: Math.round(at.x / GRID) * GRID, y: Math.round(at.y / GRID) * GRID };
      edit((s) => ({
        nodes: s.nodes
          .map((n) => (n.selected ? { ...n, selected: false } : n))
          .concat(
            withGeometry(
              {
                id,
                type: 'z8',
                position: at,
                selected: true,
                data: { type, name: '', disabled: false, config: defaultConfig(spec) },
              },
              catalog,
            ),
          ),
        edges: s.edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
      }));
      return id;
    },
    [catalog, edit, flow, snap],
  );

  const deleteSelection = useCallback(() => {
    const { nodes: ns, edges: es } = current.current;
    const gone = new Set(ns.filter((n) => n.selected).map((n) => n.id));
    const edgesLeft = es.filter((e) => !e.selected && !gone.has(e.source) && !gone.has(e.target));
    if (gone.size === 0 && edgesLeft.length === es.length) return;
    edit((s) => ({ nodes: s.nodes.filter((n) => !gone.has(n.id)), edges: edgesLeft }));
  }, [edit]);

  const copy = useCallback(() => {
    const { nodes: ns, edges: es } = current.current;
    const picked = ns.filter((n) => n.selected);
    if (!picked.length) return false;
    const ids = new Set(picked.map((n) => n.id));
    putClipboard(
      flowId,
      picked,
      es.filter((e) => ids.has(e.source) && ids.has(e.target)),
    );
    showHint(picked.length + ' node(s) copied; paste them in any tab (Ctrl-V).', 'ok');
    return true;
  }, [flowId, showHint]);

  const paste = useCallback(
    (given) => {
      const clip = given || takeClipboard();
      if (!clip || !clip.nodes.length) return;
      const taken = new Set(current.current.nodes.map((n) => n.id));
      const ids = new Map();
      for (const n of clip.nodes) {
        const id = newNodeId(n.data.type, taken);
        taken.add(id);
        ids.set(n.id, id);
      }
      edit((s) => ({
        nodes: s.nodes
          .map((n) => (n.selected ? { ...n, selected: false } : n))
          .concat(
            clip.nodes.map((n) =>
              withGeometry(
                {
                  id: ids.get(n.id),
                  type: 'z8',
                  selected: true,
                  position: { x: n.position.x + 2 * GRID, y: n.position.y + 2 * GRID },
                  data: { ...n.data, config: structuredClone(n.data.config) },
                },
                catalog,
              ),
            ),
          ),
        edges: s.edges
          .map((e) => (e.selected ? { ...e, selected: false } : e))
          .concat(
            clip.edges.map((e) => {
              const w = {
                from: ids.get(e.source),
                fromPort: portIndex(e.sourceHandle),
                to: ids.get(e.target),
                toPort: portIndex(e.targetHandle),
              };
              return {
                id: edgeId(w),
                source: w.from,
                sourceHandle: e.sourceHandle,
                target: w.to,
                targetHandle: e.targetHandle,
              };
            }),
          ),
      }));
    },
    [edit, catalog],
  );

  // remap (optional): where each output port's wires go after the edit (-1: removed), for a switch
  // whose rules were reordered or removed; wires on ports that no longer exist are dropped
  const updateNode = useCallback(
    (nodeId, change, coalesceKey, remap) => {
      edit((s) => {
        const nodes = s.nodes.map((n) => (n.id === nodeId ? withGeometry({ ...n, data: change(n.data) }, catalog) : n));
        const node = nodes.find((n) => n.id === nodeId);
        const ports = node ? outputPorts(node.data.type, catalog.get(node.data.type), node.data.config).length : 0;
        const edges = [];
        for (const e of s.edges) {
          if (e.source !== nodeId) {
            edges.push(e);
            continue;
          }
          const port = remap ? remap(portIndex(e.sourceHandle)) : portIndex(e.sourceHandle);
          if (port < 0 || port >= ports) continue;
          const w = { from: e.source, fromPort: port, to: e.target, toPort: portIndex(e.targetHandle) };
          edges.push(port === portIndex(e.sourceHandle) ? e : { ...e, id: edgeId(w), sourceHandle: 'out-' + port });
        }
        return { nodes, edges };
      }, coalesceKey);
    },
    [edit, catalog],
  );

  const renameFlow = useCallback((name) => {
    setMeta((m) => ({ ...m, name }));
  }, []);

  // ---- server actions
  const save = useCallback(async () => {
    setBusy('saving');
    try {
      await api.saveFlow(JSON.parse(docJson));
      setSavedJson(docJson);
      if (running) setDeployedJson(docJson);
      localStorage.removeItem('z8.draft.' + flowId);
      showHint('Saved.', 'ok');
    } catch (e) {
      if (e.problems && e.problems.length) setProblems(e.problems);
      showHint('Not saved: ' + e.message, 'error');
    } finally {
      setBusy('');
    }
  }, [docJson, running, flowId, showHint]);

  const deploy = useCallback(async () => {
    setBusy('deploying');
    try {
      await api.saveFlow(JSON.parse(docJson));
      setSavedJson(docJson);
      localStorage.removeItem('z8.draft.' + flowId);
      const stored = await api.flow(flowId);
      if (!stored.running) await api.start(flowId);
      setRunning(true);
      setDeployedJson(docJson);
      showHint('Deployed.', 'ok');
    } catch (e) {
      if (e.problems && e.problems.length) setProblems(e.problems);
      showHint('Not deployed: ' + e.message, 'error');
    } finally {
      setBusy('');
    }
  }, [docJson, flowId, showHint]);

  const start = useCallback(async () => {
    try {
      await api.start(flowId);
      setRunning(true);
      setDeployedJson(savedJson);
      showHint('Started.', 'ok');
    } catch (e) {
      if (e.problems && e.problems.length) setProblems(e.problems);
      showHint('Not started: ' + e.message, 'error');
    }
  }, [flowId, savedJson, showHint]);

  const stop = useCallback(async () => {
    try {
      await api.stop(flowId);
      setRunning(false);
      setDeployedJson(null);
      live.clear();
      showHint('Stopped.', 'ok');
    } catch (e) {
      showHint('Not stopped: ' + e.message, 'error');
    }
  }, [flowId, live, showHint]);

  const injectInto = useCallback(
    (nodeId) => {
      const client = engine.current;
      if (!client) return;
      client.inject(flowId, nodeId, {}).catch((e) => showHint('Not injected: ' + e.message, 'error'));
    },
    [flowId, showHint],
  );

  const discardDraft = useCallback(async () => {
    localStorage.removeItem('z8.draft.' + flowId);
    const stored = await api.flow(flowId);
    const canvas = toCanvas(stored, catalog);
    setMeta(metaOf(flowDocument(stored)));
    setNodes(canvas.nodes);
    setEdges(canvas.edges);
    setDraftRestored(false);
  }, [flowId, catalog]);

  // Ctrl-V: a paste event carrying Node-RED JSON (copied in Node-RED, or by another browser) wins;
  // without one, the workspace's own clipboard is pasted
  const pasted = useRef(null);
  const pasteSoon = useCallback(() => {
    pasted.current = null;
    setTimeout(() => {
      paste(pasted.current || undefined);
      pasted.current = null;
    }, 30);
  }, [paste]);
  useEffect(() => {
    const onPaste = (e) => {
      if (e.target.closest && e.target.closest('input, textarea, select')) return;
      const text = e.clipboardData && e.clipboardData.getData('text/plain');
      const nodes = text ? fromNodeRed(text) : null;
      if (nodes) {
        e.preventDefault();
        pasted.current = nodes;
      }
    };
    window.addEventListener('paste', onPaste);
    return () => window.removeEventListener('paste', onPaste);
  }, []);

  const groupSelection = useCallback(() => {
    const picked = current.current.nodes.filter((n) => n.selected).map((n) => n.id);
    if (!picked.length) return;
    const id = 'group_' + Math.random().toString(36).slice(2, 8);
    setMeta((m) => ({
      ...m,
      groups: m.groups
        .map((g) => ({ ...g, nodes: g.nodes.filter((x) => !picked.includes(x)) }))
        .filter((g) => g.nodes.length)
        .concat({
          id,
          name: 'Group',
          nodes: picked,
          style: { stroke: '#999999', fill: '#f2f2f2', 'fill-opacity': 0.5, label: true },
        }),
    }));
  }, []);

  const updateGroup = useCallback((id, change) => {
    setMeta((m) => ({ ...m, groups: m.groups.map((g) => (g.id === id ? change(g) : g)) }));
  }, []);

  const exportNodeRed = useCallback(() => {
    const { nodes: ns, edges: es } = current.current;
    const picked = ns.some((n) => n.selected) ? ns.filter((n) => n.selected) : ns;
    const list = [{ id: flowId, type: 'tab', label: meta.name, disabled: false, info: meta.description || '' }]
      .concat(toNodeRed(flowId, picked, es))
      .concat(
        meta.groups.map((g) => ({
          id: g.id,
          type: 'group',
          z: flowId,
          name: g.name,
          style: g.style,
          nodes: g.nodes.filter((x) => picked.some((n) => n.id === x)),
        })),
      )
      .concat(meta.config_nodes.map((c) => ({ id: c.id, type: c.type, name: c.name, ...c.config })));
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([JSON.stringify(list, null, 2)], { type: 'application/json' }));
    a.download = (meta.name || flowId).replace(/[^A-Za-z0-9_.-]+/g, '_') + '.node-red.json';
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }, [flowId, meta]);

  // a wire dropped on empty canvas: quick-add a node there, wired to it
  const onConnectEnd = useCallback(
    (event, state) => {
      if (state.isValid || !state.fromNode || !state.fromHandle || state.fromHandle.type !== 'source') return;
      // dropped on a node (not on one of its ports) or outside the canvas: nothing to offer
      const target = event.target;
      if (!target || !target.closest || target.closest('.react-flow__node') || !target.closest('.react-flow')) return;
      const point = 'changedTouches' in event ? event.changedTouches[0] : event;
      setQuickAdd({
        at: flow.screenToFlowPosition({ x: point.clientX, y: point.clientY }),
        from: state.fromNode.id,
        handle: state.fromHandle.id,
      });
    },
    [flow],
  );

  const quickAdded = useCallback(
    (type) => {
      const pending = quickAdd;
      setQuickAdd(false);
      if (!type) return;
      const id = addNode(type, pending && pending.at ? { x: pending.at.x + 60, y: pending.at.y } : undefined);
      if (id && pending && pending.from)
        onConnect({ source: pending.from, sourceHandle: pending.handle, target: id, targetHandle: 'in-0' });
    },
    [quickAdd, addNode, onConnect],
  );

  const canvasEdges = useMemo(() => {
    const links = linkWires(nodes);
    return links.length ? edges.concat(links) : edges;
  }, [nodes, edges]);

  // zoomed out below OVERVIEW_ZOOM, nodes are drawn on one canvas (overview.jsx)
  const [overview, setOverview] = useState(false);
  const onMove = useCallback((event, viewport) => {
    const wanted = viewport.zoom < OVERVIEW_ZOOM;
    setOverview((was) => (was === wanted ? was : wanted));
  }, []);
  const shownNodes = useMemo(() => (overview ? nodes.map((n) => ({ ...n, hidden: true })) : nodes), [overview, nodes]);

  // revisions: two of them drawn as one read-only canvas, changes marked (revisions.jsx)
  const showDiff = useCallback(
    ({ from, to, fromDoc, toDoc }) => setDiff({ from, to, ...diffCanvas(fromDoc, toDoc, (d) => toCanvas(d, catalog)) }),
    [catalog],
  );
  const rolledBack = useCallback(
    (n) => {
      setDiff(null);
      setHistory(false);
      discardDraft().then(() => showHint('Rolled back to revision #' + n + ' (saved as a new revision).', 'ok'));
    },
    [discardDraft, showHint],
  );

  // the right-click menu (contextmenu.jsx)
  const openMenu = useCallback((event, onSelection) => {
    event.preventDefault();
    setMenu({ at: { x: event.clientX, y: event.clientY }, onSelection });
  }, []);
  const onNodeContextMenu = useCallback(
    (event, node) => {
      if (!node.selected)
        setNodes((ns) => ns.map((n) => (n.selected !== (n.id === node.id) ? { ...n, selected: n.id === node.id } : n)));
      openMenu(event, true);
    },
    [openMenu],
  );
  const menuActions = useMemo(
    () => ({
      cut: () => copy() && deleteSelection(),
      copy,
      remove: deleteSelection,
      group: groupSelection,
      exportNodeRed,
      paste: () => paste(),
      add: () => setQuickAdd({ at: menu ? flow.screenToFlowPosition(menu.at) : undefined }),
      selectAll: () => setNodes((ns) => ns.map((n) => ({ ...n, selected: true }))),
      fit: () => flow.fitView({ padding: 0.1, maxZoom: 1.5, duration: 200 }),
    }),
    [copy, deleteSelection, groupSelection, exportNodeRed, paste, flow, menu],
  );

  // ---- keyboard
  useEffect(() => {
    const onKey = (e) => {
      const typing = e.target.closest && e.target.closest('input, textarea, select, [contenteditable=true]');
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (mod && key === 'd') {
        e.preventDefault();
        deploy();
        return;
      }
      if (mod && key === 's') {
        e.preventDefault();
        save();
        return;
      }
      if (mod && key === 'f') {
        e.preventDefault();
        setFinding(true);
        return;
      }
      if (typing) return;
      if (mod && key === 'z' && !e.shiftKey) {
        e.preventDefault();
        undo();
      } else if (mod && ((key === 'z' && e.shiftKey) || key === 'y')) {
        e.preventDefault();
        redo();
      } else if (mod && key === 'c') {
        copy();
      } else if (mod && key === 'x') {
        if (copy()) deleteSelection();
      } else if (mod && key === 'v') {
        pasteSoon();
      } else if (mod && key === 'g') {
        e.preventDefault();
        groupSelection();
      } else if (mod && (key === '=' || key === '+')) {
        e.preventDefault();
        flow.zoomIn({ duration: 150 });
      } else if (mod && key === '-') {
        e.preventDefault();
        flow.zoomOut({ duration: 150 });
      } else if (mod && key === '0') {
        e.preventDefault();
        flow.zoomTo(1, { duration: 150 });
      } else if (mod && key === 'a') {
        e.preventDefault();
        setNodes((ns) => ns.map((n) => ({ ...n, selected: true })));
      } else if (key === 'delete' || key === 'backspace') {
        e.preventDefault();
        deleteSelection();
      } else if (key === '/' || (mod && key === 'k')) {
        e.preventDefault();
        setQuickAdd(true);
      } else if (key === 'f' && !mod) {
        flow.fitView({ padding: 0.1, maxZoom: 1.5, duration: 200 });
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [deploy, save, undo, redo, copy, pasteSoon, groupSelection, deleteSelection, flow]);

  // the browser's zoom keys belong to the canvas (Ctrl+= / Ctrl+- / Ctrl+0, as in Node-RED)
  useEffect(() => {
    document.title = (meta ? meta.name || 'flow' : 'flow') + ' · z8run';
    return () => {
      document.title = 'z8run';
    };
  }, [meta]);

  // the e2e tests read the model, not pixels: only in the test build (testing/hooks.js)
  useEffect(() => {
    exposeForTests('Editor', {
      doc: () => (docJson ? JSON.parse(docJson) : null),
      problems: () => problems,
      debug,
      live,
      undoDepth: () => undoStack.current.length,
      flow,
    });
  }, [docJson, problems, debug, live, flow]);

  if (loadError)
    return (
      <div className="page">
        <p className="error" data-testid="load-error">
          {loadError}
        </p>
        <a href="#/flows">Back to flows</a>
      </div>
    );
  if (!catalog || !meta)
    return (
      <div className="page">
        <p>Loading…</p>
      </div>
    );

  const selected = nodes.filter((n) => n.selected);
  const selectedNode = selected.length === 1 ? selected[0] : null;
  const flowProblems = problems.filter((p) => !p.node_id);

  return (
    <CatalogContext.Provider value={catalog}>
      <ProblemsContext.Provider value={problemStore}>
        <LiveContext.Provider value={live}>
          <InjectContext.Provider value={running ? injectInto : null}>
            <div className="editor" data-testid="editor">
              <header className="topbar">
                <a href="#/flows" className="brand" data-testid="back">
                  z8run
                </a>
                <TabBar current={flowId} names={meta.name} />
                <input
                  className="flow-name"
                  data-testid="flow-title"
                  value={meta.name}
                  onChange={(e) => renameFlow(e.target.value)}
                />
                <span className={'status ' + (running ? 'running' : 'idle')} data-testid="flow-status">
                  {running ? 'running' : 'idle'}
                </span>
                {unsaved && (
                  <span className="dirty" data-testid="unsaved">
                    unsaved
                  </span>
                )}
                {!unsaved && undeployed && (
                  <span className="dirty" data-testid="undeployed">
                    not deployed
                  </span>
                )}
                <span className="spacer" />
                <button onClick={undo} disabled={!undoStack.current.length} data-testid="undo" title="Ctrl-Z">
                  Undo
                </button>
                <button onClick={redo} disabled={!redoStack.current.length} data-testid="redo" title="Ctrl-Shift-Z">
                  Redo
                </button>
                <button
                  onClick={() => flow.fitView({ padding: 0.1, maxZoom: 1.5, duration: 200 })}
                  data-testid="fit"
                  title="F"
                >
                  Fit
                </button>
                <button
                  onClick={() => setPanels((p) => ({ ...p, palette: !p.palette }))}
                  data-testid="toggle-palette"
                  title="show or hide the palette"
                >
                  ◧
                </button>
                <button
                  onClick={() => setPanels((p) => ({ ...p, properties: !p.properties }))}
                  data-testid="toggle-properties"
                  title="show or hide the properties"
                >
                  ◨
                </button>
                <button
                  onClick={() => setHistory((h) => !h)}
                  data-testid="history"
                  title="the saved revisions: compare two on the canvas, roll back"
                >
                  History
                </button>
                <button
                  onClick={exportNodeRed}
                  data-testid="export-node-red"
                  title="the selection, or the whole flow, as Node-RED's flows.json"
                >
                  Export (Node-RED)
                </button>
                <label className="toggle">
                  <input
                    type="checkbox"
                    checked={snap}
                    onChange={(e) => setSnap(e.target.checked)}
                    data-testid="snap"
                  />{' '}
                  snap
                </label>
                <button onClick={save} disabled={!!busy} data-testid="save" title="Ctrl-S">
                  Save
                </button>
                <button onClick={deploy} disabled={!!busy} className="primary" data-testid="deploy" title="Ctrl-D">
                  Deploy
                </button>
                <button onClick={start} disabled={running} data-testid="start">
                  Start
                </button>
                <button onClick={stop} disabled={!running} data-testid="stop">
                  Stop
                </button>
                <span className={'conn ' + liveState} data-testid="live-state" title="the /ws/engine connection">
                  {liveState}
                </span>
              </header>
              {draftRestored && (
                <div className="banner" data-testid="draft-banner">
                  Restored your unsaved changes from this browser.
                  <button onClick={discardDraft} data-testid="discard-draft">
                    Discard them
                  </button>
                  <button onClick={() => setDraftRestored(false)}>Keep</button>
                </div>
              )}
              {flowProblems.length > 0 && (
                <div className="banner error" data-testid="flow-problems">
                  {flowProblems.map((p) => p.message).join(' · ')}
                </div>
              )}
              <div className="workspace">
                {panels.palette && (
                  <Palette catalog={catalog} onAdd={addNode} screenToFlow={flow.screenToFlowPosition} />
                )}
                <div
                  className="canvas"
                  onPointerMove={(e) => {
                    pointer.current = { x: e.clientX, y: e.clientY };
                  }}
                >
                  <ReactFlow
                    nodes={diff ? diff.nodes : shownNodes}
                    edges={diff ? diff.edges : canvasEdges}
                    onNodeContextMenu={diff ? undefined : onNodeContextMenu}
                    onSelectionContextMenu={diff ? undefined : (e) => openMenu(e, true)}
                    onPaneContextMenu={diff ? undefined : (e) => openMenu(e, false)}
                    onMove={onMove}
                    nodeOrigin={NODE_ORIGIN}
                    onConnectEnd={onConnectEnd}
                    nodeTypes={NODE_TYPES}
                    onNodesChange={onNodesChange}
                    onEdgesChange={onEdgesChange}
                    onConnect={onConnect}
                    onNodeDragStart={onNodeDragStart}
                    onNodeDragStop={onNodeDragStop}
                    deleteKeyCode={null}
                    selectionOnDrag
                    selectionKeyCode={null}
                    multiSelectionKeyCode="Shift"
                    panOnDrag={[1, 2]}
                    panOnScroll
                    zoomOnScroll={false}
                    zoomActivationKeyCode="Control"
                    snapToGrid={snap}
                    snapGrid={[GRID, GRID]}
                    defaultViewport={{ x: 0, y: 0, zoom: 1 }}
                    minZoom={0.05}
                    maxZoom={4}
                    onlyRenderVisibleElements
                    proOptions={{ hideAttribution: false }}
                  >
                    <Background gap={GRID} />
                    {overview && <Overview nodes={nodes} edges={edges} catalog={catalog} />}
                    <ViewportPortal>
                      <Groups groups={meta.groups} nodes={nodes} onChange={updateGroup} />
                    </ViewportPortal>
                    <MiniMap pannable zoomable nodeColor={minimapColor} data-testid="minimap" />
                    <Controls showInteractive={false} />
                  </ReactFlow>
                  {hint && (
                    <div className={'hint ' + hint.kind} data-testid="hint">
                      {hint.text}
                    </div>
                  )}
                  {quickAdd && <QuickAdd catalog={catalog} onPick={quickAdded} />}
                  {menu && (
                    <ContextMenu
                      at={menu.at}
                      items={contextItems({
                        onSelection: menu.onSelection,
                        hasClipboard: !!(takeClipboard() && takeClipboard().nodes.length),
                        actions: menuActions,
                      })}
                      onClose={() => setMenu(null)}
                    />
                  )}
                  {diff && (
                    <div className="diff-banner" data-testid="diff-banner">
                      Changes from #{diff.from} to #{diff.to}: {diff.counts.added} added, {diff.counts.removed} removed,{' '}
                      {diff.counts.changed} changed, {diff.counts.moved} moved nodes; {diff.wires.added} wires added,{' '}
                      {diff.wires.removed} removed.{' '}
                      <button onClick={() => setDiff(null)} data-testid="diff-close">
                        Back to editing
                      </button>
                    </div>
                  )}
                  {finding && (
                    <Find
                      nodes={nodes}
                      onClose={() => setFinding(false)}
                      onGo={(n) => {
                        setNodes((ns) =>
                          ns.map((x) => (x.selected !== (x.id === n.id) ? { ...x, selected: x.id === n.id } : x)),
                        );
                        flow.setCenter(n.position.x, n.position.y, {
                          zoom: Math.max(flow.getZoom(), 1),
                          duration: 200,
                        });
                      }}
                    />
                  )}
                </div>
                {history && (
                  <RevisionsPanel
                    flowId={flowId}
                    onShowDiff={showDiff}
                    onRolledBack={rolledBack}
                    onClose={() => {
                      setHistory(false);
                      setDiff(null);
                    }}
                  />
                )}
                {panels.properties && !history && (
                  <PropertiesPanel
                    node={selectedNode}
                    spec={selectedNode && catalog.get(selectedNode.data.type)}
                    problems={selectedNode ? problems.filter((p) => p.node_id === selectedNode.id) : []}
                    onChange={updateNode}
                    selectedCount={selected.length}
                    flowId={flowId}
                    nodes={nodes}
                    configNodes={meta.config_nodes}
                  >
                    <ConfigNodes configNodes={meta.config_nodes} nodes={nodes} />
                  </PropertiesPanel>
                )}
              </div>
              <BottomPanel
                flowId={flowId}
                debug={debug}
                nodes={nodes}
                problems={problems}
                currentOnly={debugCurrentOnly}
                setCurrentOnly={setDebugCurrentOnly}
                flowNames={flowNames}
              />
            </div>
          </InjectContext.Provider>
        </LiveContext.Provider>
      </ProblemsContext.Provider>
    </CatalogContext.Provider>
  );
}

// ---- palette and quick-add ---------------------------------------------------------------

function Palette({ catalog, onAdd, screenToFlow }) {
  const [query, setQuery] = useState('');
  const [ghost, setGhost] = useState(null);
  const groups = useMemo(() => {
    const q = query.trim().toLowerCase();
    const m = new Map();
    for (const spec of catalog.values()) {
      if (q && !spec.type.toLowerCase().includes(q) && !(spec.description || '').toLowerCase().includes(q)) continue;
      if (!m.has(spec.category)) m.set(spec.category, []);
      m.get(spec.category).push(spec);
    }
    return [...m.entries()];
  }, [catalog, query]);

  // pointer-driven drag (works with mouse, pen and touch, and with WebDriver actions)
  const startDrag = (e, type) => {
    if (e.button !== 0) return;
    e.preventDefault();
    const x0 = e.clientX;
    const y0 = e.clientY;
    let moved = false;
    const move = (ev) => {
      if (Math.abs(ev.clientX - x0) + Math.abs(ev.clientY - y0) > 4) moved = true;
      if (moved) setGhost({ type, x: ev.clientX, y: ev.clientY });
    };
    const up = (ev) => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      setGhost(null);
      if (!moved) {
        onAdd(type);
        return;
      }
      const target = document.elementFromPoint(ev.clientX, ev.clientY);
      if (target && target.closest('.react-flow__pane, .react-flow__renderer, .react-flow__node')) {
        onAdd(type, screenToFlow({ x: ev.clientX, y: ev.clientY }));
      }
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  };

  return (
    <aside className="palette" data-testid="palette">
      <input
        placeholder="search nodes ( / )"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        data-testid="palette-search"
      />
      {groups.map(([category, specs]) => (
        <section key={category}>
          <h4>{category}</h4>
          {specs.map((s) => (
            <div
              key={s.type}
              className="palette-item"
              style={{ borderLeftColor: categoryColor(s.category) }}
              onPointerDown={(e) => startDrag(e, s.type)}
              title={s.description}
              data-testid="palette-item"
              data-type={s.type}
            >
              {s.type}
            </div>
          ))}
        </section>
      ))}
      {ghost && (
        <div className="palette-item ghost" style={{ left: ghost.x, top: ghost.y }}>
          {ghost.type}
        </div>
      )}
    </aside>
  );
}

/** Types for a query: the exact type first, then types starting with it, containing it, then descriptions. */
function rankTypes(catalog, query) {
  const q = query.trim().toLowerCase();
  const scored = [];
  for (const s of catalog.values()) {
    const t = s.type.toLowerCase();
    const score = !q
      ? 3
      : t === q
        ? 0
        : t.startsWith(q)
          ? 1
          : t.includes(q)
            ? 2
            : (s.description || '').toLowerCase().includes(q)
              ? 4
              : -1;
    if (score >= 0) scored.push([score, s]);
  }
  scored.sort((a, b) => a[0] - b[0] || a[1].type.localeCompare(b[1].type));
  return scored.map((x) => x[1]);
}

/** Ctrl-F: nodes of the open flow whose label, name, type or id has the text; Enter goes to the next. */
function Find({ nodes, onGo, onClose }) {
  const [q, setQ] = useState('');
  const [at, setAt] = useState(-1);
  const hits = useMemo(() => {
    const t = q.trim().toLowerCase();
    if (!t) return [];
    return nodes.filter((n) => {
      const label = labelOf(n.data.type, n.data.name, n.data.config).toLowerCase();
      return (
        label.includes(t) ||
        n.id.toLowerCase().includes(t) ||
        n.data.type.includes(t) ||
        JSON.stringify(n.data.config).toLowerCase().includes(t)
      );
    });
  }, [nodes, q]);
  const go = (i) => {
    if (!hits.length) return;
    const k = ((i % hits.length) + hits.length) % hits.length;
    setAt(k);
    onGo(hits[k]);
  };
  return (
    <div className="find" data-testid="find">
      <input
        autoFocus
        value={q}
        placeholder="find nodes…"
        data-testid="find-input"
        onChange={(e) => {
          setQ(e.target.value);
          setAt(-1);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onClose();
          else if (e.key === 'Enter') {
            e.preventDefault();
            go(e.shiftKey ? at - 1 : at + 1);
          }
        }}
      />
      <span className="hint" data-testid="find-count">
        {hits.length ? Math.max(at + 1, 1) + ' / ' + hits.length : q ? 'none' : ''}
      </span>
      <button onClick={onClose} title="Escape">
        ×
      </button>
    </div>
  );
}

function QuickAdd({ catalog, onPick }) {
  const [q, setQ] = useState('');
  const [index, setIndex] = useState(0);
  const matches = useMemo(() => rankTypes(catalog, q), [catalog, q]);
  return (
    <div className="quick-add" data-testid="quick-add">
      <input
        autoFocus
        value={q}
        data-testid="quick-add-input"
        placeholder="add a node…"
        onChange={(e) => {
          setQ(e.target.value);
          setIndex(0);
        }}
        onBlur={() => onPick(null)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onPick(null);
          else if (e.key === 'ArrowDown') setIndex((i) => Math.min(i + 1, matches.length - 1));
          else if (e.key === 'ArrowUp') setIndex((i) => Math.max(i - 1, 0));
          else if (e.key === 'Enter' && matches[index]) {
            e.preventDefault();
            onPick(matches[index].type);
          }
        }}
      />
      <ul>
        {matches.slice(0, 8).map((s, i) => (
          <li
            key={s.type}
            className={i === index ? 'active' : ''}
            onMouseDown={(e) => {
              e.preventDefault();
              onPick(s.type);
            }}
          >
            <b>{s.type}</b> <span>{s.description}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
