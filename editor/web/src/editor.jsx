import {
  ReactFlow, ReactFlowProvider, Background, MiniMap, Controls, Handle, Position, useReactFlow,
  applyNodeChanges, applyEdgeChanges,
} from '@xyflow/react';
import { createContext, memo, useCallback, useContext, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { api, flowDocument, token } from './api.js';
import { EngineClient } from './protocol.js';
import { PropertiesPanel } from './properties.jsx';
import { BottomPanel, DebugStore, LiveStore } from './panels.jsx';

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
    nodes: (doc.nodes || []).map((n) => withGeometry({
      id: n.id,
      type: 'z8',
      position: { x: n.x || 0, y: n.y || 0 },
      data: { type: n.type, name: n.name || '', disabled: !!n.disabled, config: n.config || {} },
    }, catalog)),
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
    id: meta.id,
    name: meta.name,
    description: meta.description,
    nodes: nodes.map((n) => ({
      id: n.id, type: n.data.type, name: n.data.name, x: Math.round(n.position.x), y: Math.round(n.position.y),
      disabled: n.data.disabled, config: n.data.config,
    })),
    wires: edges.map((e) => ({
      from: e.source, fromPort: portIndex(e.sourceHandle), to: e.target, toPort: portIndex(e.targetHandle),
    })),
  });
}

/** The viewport fitView lands on, estimated from positions before any node is measured. */
function fittedViewport(nodes) {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const n of nodes) {
    minX = Math.min(minX, n.position.x);
    minY = Math.min(minY, n.position.y);
    maxX = Math.max(maxX, n.position.x + 150);
    maxY = Math.max(maxY, n.position.y + 40);
  }
  const width = Math.max(200, window.innerWidth - 170 - 300);
  const height = Math.max(200, window.innerHeight - 37 - 240);
  const zoom = Math.min(1.5, Math.max(0.05, Math.min(width / ((maxX - minX) * 1.2), height / ((maxY - minY) * 1.2))));
  return { x: (width - (maxX - minX) * zoom) / 2 - minX * zoom, y: (height - (maxY - minY) * zoom) / 2 - minY * zoom, zoom };
}

const NODE_WIDTH = 160;
const PORT = 10;

/**
 * A node's size and port boxes, known before the browser measures anything: React Flow then
 * draws nodes and wires in one pass (no hidden measuring render), which is what opens a
 * 1,000-node flow quickly.
 */
function geometry(spec, config) {
  const inputs = spec ? spec.inputs || [] : [{ name: 'input', type: 'any' }];
  const outputs = spec ? outputPorts(spec, config) : [{ name: 'output', type: 'any' }];
  const height = Math.max(40, Math.max(inputs.length, outputs.length, 1) * 18 + 12);
  const handles = [];
  inputs.forEach((p, i) => handles.push({ id: 'in-' + i, type: 'target', position: Position.Left,
    x: -PORT / 2, y: ((i + 1) * height) / (inputs.length + 1) - PORT / 2, width: PORT, height: PORT }));
  outputs.forEach((p, i) => handles.push({ id: 'out-' + i, type: 'source', position: Position.Right,
    x: NODE_WIDTH - PORT / 2, y: ((i + 1) * height) / (outputs.length + 1) - PORT / 2, width: PORT, height: PORT }));
  return { width: NODE_WIDTH, height, handles, inputs, outputs };
}

function withGeometry(node, catalog) {
  const g = geometry(catalog.get(node.data.type), node.data.config);
  if (node.measured && node.height === g.height && node.width === g.width && node.handles && node.handles.length === g.handles.length) return node;
  return { ...node, width: g.width, height: g.height, measured: { width: g.width, height: g.height }, handles: g.handles };
}

function portIndex(handle) {
  return handle ? Number(handle.slice(handle.indexOf('-') + 1)) : 0;
}

function outputPorts(spec, config) {
  if (!spec) return [];
  const ports = spec.outputs || [];
  if (spec.dynamic_outputs && ports.length > 0 && config) {
    // Function: "outputs" ports; Switch: one per rule, then the default
    let count = ports.length;
    if (Number.isInteger(config.outputs) && config.outputs > 0) count = Math.max(count, Math.min(config.outputs, 64));
    else if (Array.isArray(config.rules)) count = Math.max(count, config.rules.length + 1);
    else if (config.categories !== undefined) {
      // classifier: result, error, then one output per category, named after it
      return ports.concat(categoryNames(config.categories).map((name) => ({ name, type: 'object' })));
    }
    const extra = [];
    for (let i = ports.length; i < count; i++) extra.push(ports[ports.length - 1]);
    return ports.concat(extra);
  }
  return ports;
}

// the classifier's categories: "a,b,c", ["a", "b"] or [{name, description}]
function categoryNames(categories) {
  const list = typeof categories === 'string' ? categories.split(',') : Array.isArray(categories) ? categories : [];
  return list
    .map((c) => (typeof c === 'string' ? c : c && typeof c.name === 'string' ? c.name : ''))
    .map((name) => name.trim())
    .filter((name) => name.length > 0)
    .slice(0, 64);
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

const CATEGORY_COLORS = { common: '#3b82f6', function: '#f59e0b', network: '#10b981', storage: '#8b5cf6', ai: '#ec4899' };
function categoryColor(category) {
  return CATEGORY_COLORS[category] || '#64748b';
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

const Z8Node = memo(function Z8Node({ id, data, selected }) {
  const catalog = useContext(CatalogContext);
  const problemStore = useContext(ProblemsContext);
  const problems = useSyncExternalStore(problemStore.subscribe, () => problemStore.get(id));
  const live = useContext(LiveContext);
  const status = useSyncExternalStore(live.subscribe, () => live.get(id));
  const inject = useContext(InjectContext);
  const spec = catalog.get(data.type);
  const { inputs, outputs, height } = geometry(spec, data.config);
  const y = (i, n) => ((i + 1) * height) / (n + 1);
  let className = 'z8-node';
  if (selected) className += ' selected';
  if (problems) className += ' invalid';
  if (data.disabled) className += ' disabled';
  if (!spec) className += ' unknown';
  return (
    <div className={className} style={{ width: NODE_WIDTH, height, borderLeftColor: categoryColor(spec && spec.category) }}
      data-testid="node" data-node-id={id} data-node-type={data.type}>
      {inputs.map((p, i) => (
        <Handle key={'i' + i} type="target" position={Position.Left} id={'in-' + i} style={{ top: y(i, inputs.length) }}
          className="port" data-testid="port-in" data-port-type={p.type} title={p.name + ': ' + p.type} />
      ))}
      {data.type === 'inject' && inject && (
        <button className="inject-button nodrag" data-testid="inject-button" title="send a message (needs the flow running)"
          onClick={(e) => { e.stopPropagation(); inject(id); }}>▶</button>
      )}
      <div className="title">{data.name || data.type}</div>
      {data.name && <div className="subtitle">{data.type}</div>}
      {problems && (
        <div className="problem-badge" data-testid="node-problem" title={problems.map((p) => p.message).join('\n')}>
          {problems.length}
        </div>
      )}
      {status && (
        <div className={'node-status' + (status.error ? ' error' : '')} data-testid="node-status">
          {status.error ? '✖ ' + status.error : status.text || ''}
          {status.counters && ` ${status.counters.in}→${status.counters.out}${status.counters.errors ? ' ✖' + status.counters.errors : ''}`}
        </div>
      )}
      {outputs.map((p, i) => (
        <Handle key={'o' + i} type="source" position={Position.Right} id={'out-' + i} style={{ top: y(i, outputs.length) }}
          className="port" data-testid="port-out" data-port-type={p.type} title={p.name + ': ' + p.type} />
      ))}
    </div>
  );
});

const NODE_TYPES = { z8: Z8Node };

function minimapColor(node) {
  return node.selected ? '#2563eb' : '#94a3b8';
}

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
  const clipboard = useRef(null);
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
        setMeta({ id: storedDoc.id, name: doc.name, description: doc.description });
        const canvas = toCanvas(doc, map);
        if (canvas.nodes.length) flow.setViewport(fittedViewport(canvas.nodes));
        setNodes(canvas.nodes);
        setEdges(canvas.edges);
        setSavedJson(storedJson);
        setRunning(!!stored.running);
        setDeployedJson(stored.running ? storedJson : null);
        window.__z8LoadedAt = performance.now();
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
  useEffect(() => {
    const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    const client = new EngineClient({
      url: scheme + location.host + '/ws/engine',
      token: token(),
      onState: setLiveState,
      onEvent: (e) => {
        if (e.flowId !== flowId) return;
        if (e.kind === 'debug' || e.kind === 'skipped') debug.push(e);
        else live.apply(e);
      },
    });
    client.subscribe(flowId);
    window.__z8Engine = client;
    return () => client.close();
  }, [flowId, live, debug]);

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
    if (d.unsaved) localStorage.setItem('z8.draft.' + flowId, JSON.stringify({ doc: JSON.parse(d.docJson), at: Date.now() }));
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
      api.validate(docJson).then((r) => setProblems(r.problems || [])).catch(() => {});
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

  const edit = useCallback((mutate, coalesceKey) => {
    record(coalesceKey);
    const next = mutate(current.current);
    current.current = next;
    setNodes(next.nodes);
    setEdges(next.edges);
  }, [record]);

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
        return !n || !n.measured || n.measured.width !== c.dimensions.width || n.measured.height !== c.dimensions.height;
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

  const specOf = useCallback((nodeId) => {
    const n = current.current.nodes.find((x) => x.id === nodeId);
    return n ? { node: n, spec: catalog.get(n.data.type) } : null;
  }, [catalog]);

  const onConnect = useCallback((c) => {
    const from = specOf(c.source);
    const to = specOf(c.target);
    if (!from || !to) return;
    const fromPort = portIndex(c.sourceHandle);
    const toPort = portIndex(c.targetHandle);
    const outs = outputPorts(from.spec, from.node.data.config);
    const outType = (outs[fromPort] || { type: 'any' }).type;
    const inType = ((to.spec && to.spec.inputs[toPort]) || { type: 'any' }).type;
    const name = (x) => "'" + (x.node.data.name || x.node.id) + "'";
    if (outType !== inType && outType !== 'any' && inType !== 'any') {
      showHint(`Not wired: ${name(from)} sends ${outType} but ${name(to)} takes ${inType}; ports must have the same type or one of them be "any".`);
      return;
    }
    if (c.source === c.target) {
      showHint(`Not wired: ${name(from)} cannot be wired to itself (flows must be acyclic).`);
      return;
    }
    const es = current.current.edges;
    // would the new wire close a loop? (target already reaches source)
    const next = new Map();
    for (const e of es) {
      if (!next.has(e.source)) next.set(e.source, []);
      next.get(e.source).push(e.target);
    }
    const seen = new Set([c.target]);
    const stack = [c.target];
    while (stack.length) {
      const at = stack.pop();
      if (at === c.source) {
        showHint(`Not wired: ${name(to)} already leads to ${name(from)}; this wire would make a loop (flows must be acyclic).`);
        return;
      }
      for (const n of next.get(at) || []) if (!seen.has(n)) { seen.add(n); stack.push(n); }
    }
    const wire = { from: c.source, fromPort, to: c.target, toPort };
    const id = edgeId(wire);
    if (es.some((e) => e.id === id)) {
      showHint('Those ports are already wired.');
      return;
    }
    edit((s) => ({ nodes: s.nodes, edges: s.edges.concat({ id, source: c.source, sourceHandle: c.sourceHandle, target: c.target, targetHandle: c.targetHandle }) }));
  }, [specOf, edit, showHint]);

  const addNode = useCallback((type, position) => {
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
      nodes: s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)).concat(withGeometry({
        id, type: 'z8', position: at, selected: true,
        data: { type, name: '', disabled: false, config: defaultConfig(spec) },
      }, catalog)),
      edges: s.edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
    }));
    return id;
  }, [catalog, edit, flow, snap]);

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
    clipboard.current = { nodes: picked, edges: es.filter((e) => ids.has(e.source) && ids.has(e.target)) };
    return true;
  }, []);

  const paste = useCallback(() => {
    const clip = clipboard.current;
    if (!clip) return;
    const taken = new Set(current.current.nodes.map((n) => n.id));
    const ids = new Map();
    for (const n of clip.nodes) {
      const id = newNodeId(n.data.type, taken);
      taken.add(id);
      ids.set(n.id, id);
    }
    edit((s) => ({
      nodes: s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)).concat(
        clip.nodes.map((n) => ({
          id: ids.get(n.id), type: 'z8', selected: true,
          position: { x: n.position.x + 2 * GRID, y: n.position.y + 2 * GRID },
          data: { ...n.data, config: structuredClone(n.data.config) },
        })),
      ),
      edges: s.edges.map((e) => (e.selected ? { ...e, selected: false } : e)).concat(clip.edges.map((e) => {
        const w = { from: ids.get(e.source), fromPort: portIndex(e.sourceHandle), to: ids.get(e.target), toPort: portIndex(e.targetHandle) };
        return { id: edgeId(w), source: w.from, sourceHandle: e.sourceHandle, target: w.to, targetHandle: e.targetHandle };
      })),
    }));
  }, [edit]);

  const updateNode = useCallback((nodeId, change, coalesceKey) => {
    edit((s) => ({
      nodes: s.nodes.map((n) => (n.id === nodeId ? withGeometry({ ...n, data: change(n.data) }, catalog) : n)),
      edges: s.edges,
    }), coalesceKey);
  }, [edit, catalog]);

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

  const injectInto = useCallback((nodeId) => {
    const client = window.__z8Engine;
    if (!client) return;
    client.inject(flowId, nodeId, {}).catch((e) => showHint('Not injected: ' + e.message, 'error'));
  }, [flowId, showHint]);

  const discardDraft = useCallback(async () => {
    localStorage.removeItem('z8.draft.' + flowId);
    const stored = await api.flow(flowId);
    const canvas = toCanvas(stored, catalog);
    setMeta({ id: stored.id, name: stored.name, description: stored.description });
    setNodes(canvas.nodes);
    setEdges(canvas.edges);
    setDraftRestored(false);
  }, [flowId, catalog]);

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
      if (typing) return;
      if (mod && key === 'z' && !e.shiftKey) { e.preventDefault(); undo(); }
      else if (mod && ((key === 'z' && e.shiftKey) || key === 'y')) { e.preventDefault(); redo(); }
      else if (mod && key === 'c') { copy(); }
      else if (mod && key === 'x') { if (copy()) deleteSelection(); }
      else if (mod && key === 'v') { e.preventDefault(); paste(); }
      else if (mod && key === 'a') { e.preventDefault(); setNodes((ns) => ns.map((n) => ({ ...n, selected: true }))); }
      else if (key === 'delete' || key === 'backspace') { e.preventDefault(); deleteSelection(); }
      else if (key === '/' || (mod && key === 'k')) { e.preventDefault(); setQuickAdd(true); }
      else if (key === 'f' && !mod) { flow.fitView({ padding: 0.1, maxZoom: 1.5, duration: 200 }); }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [deploy, save, undo, redo, copy, paste, deleteSelection, flow]);

  // test hooks: the e2e tests read the model, not pixels
  useEffect(() => {
    window.__z8Editor = { doc: () => (docJson ? JSON.parse(docJson) : null), problems: () => problems, debug, live, undoDepth: () => undoStack.current.length, flow };
  }, [docJson, problems, debug, live, flow]);

  if (loadError) return <div className="page"><p className="error" data-testid="load-error">{loadError}</p><a href="#/flows">Back to flows</a></div>;
  if (!catalog || !meta) return <div className="page"><p>Loading…</p></div>;

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
              <a href="#/flows" className="brand" data-testid="back">z8run</a>
              <input className="flow-name" data-testid="flow-title" value={meta.name} onChange={(e) => renameFlow(e.target.value)} />
              <span className={'status ' + (running ? 'running' : 'idle')} data-testid="flow-status">{running ? 'running' : 'idle'}</span>
              {unsaved && <span className="dirty" data-testid="unsaved">unsaved</span>}
              {!unsaved && undeployed && <span className="dirty" data-testid="undeployed">not deployed</span>}
              <span className="spacer" />
              <button onClick={undo} disabled={!undoStack.current.length} data-testid="undo" title="Ctrl-Z">Undo</button>
              <button onClick={redo} disabled={!redoStack.current.length} data-testid="redo" title="Ctrl-Shift-Z">Redo</button>
              <button onClick={() => flow.fitView({ padding: 0.1, maxZoom: 1.5, duration: 200 })} data-testid="fit" title="F">Fit</button>
              <label className="toggle"><input type="checkbox" checked={snap} onChange={(e) => setSnap(e.target.checked)} data-testid="snap" /> snap</label>
              <button onClick={save} disabled={!!busy} data-testid="save" title="Ctrl-S">Save</button>
              <button onClick={deploy} disabled={!!busy} className="primary" data-testid="deploy" title="Ctrl-D">Deploy</button>
              <button onClick={start} disabled={running} data-testid="start">Start</button>
              <button onClick={stop} disabled={!running} data-testid="stop">Stop</button>
              <span className={'conn ' + liveState} data-testid="live-state" title="the /ws/engine connection">{liveState}</span>
            </header>
            {draftRestored && (
              <div className="banner" data-testid="draft-banner">
                Restored your unsaved changes from this browser.
                <button onClick={discardDraft} data-testid="discard-draft">Discard them</button>
                <button onClick={() => setDraftRestored(false)}>Keep</button>
              </div>
            )}
            {flowProblems.length > 0 && (
              <div className="banner error" data-testid="flow-problems">{flowProblems.map((p) => p.message).join(' · ')}</div>
            )}
            <div className="workspace">
              <Palette catalog={catalog} onAdd={addNode} screenToFlow={flow.screenToFlowPosition} />
              <div className="canvas" onPointerMove={(e) => { pointer.current = { x: e.clientX, y: e.clientY }; }}>
                <ReactFlow
                  nodes={nodes}
                  edges={edges}
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
                  <MiniMap pannable zoomable nodeColor={minimapColor} data-testid="minimap" />
                  <Controls showInteractive={false} />
                </ReactFlow>
                {hint && <div className={'hint ' + hint.kind} data-testid="hint">{hint.text}</div>}
                {quickAdd && <QuickAdd catalog={catalog} onPick={(t) => { setQuickAdd(false); if (t) addNode(t); }} />}
              </div>
              <PropertiesPanel
                node={selectedNode}
                spec={selectedNode && catalog.get(selectedNode.data.type)}
                problems={selectedNode ? problems.filter((p) => p.node_id === selectedNode.id) : []}
                onChange={updateNode}
                selectedCount={selected.length}
              />
            </div>
            <BottomPanel flowId={flowId} debug={debug} nodes={nodes} problems={problems} />
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
        onAdd(type, screenToFlow({ x: ev.clientX - 60, y: ev.clientY - 15 }));
      }
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  };

  return (
    <aside className="palette" data-testid="palette">
      <input placeholder="search nodes ( / )" value={query} onChange={(e) => setQuery(e.target.value)} data-testid="palette-search" />
      {groups.map(([category, specs]) => (
        <section key={category}>
          <h4>{category}</h4>
          {specs.map((s) => (
            <div key={s.type} className="palette-item" style={{ borderLeftColor: categoryColor(s.category) }}
              onPointerDown={(e) => startDrag(e, s.type)} title={s.description} data-testid="palette-item" data-type={s.type}>
              {s.type}
            </div>
          ))}
        </section>
      ))}
      {ghost && <div className="palette-item ghost" style={{ left: ghost.x, top: ghost.y }}>{ghost.type}</div>}
    </aside>
  );
}

function QuickAdd({ catalog, onPick }) {
  const [q, setQ] = useState('');
  const [index, setIndex] = useState(0);
  const matches = [...catalog.values()].filter((s) => s.type.includes(q.toLowerCase()) || (s.description || '').toLowerCase().includes(q.toLowerCase()));
  return (
    <div className="quick-add" data-testid="quick-add">
      <input autoFocus value={q} data-testid="quick-add-input" placeholder="add a node…"
        onChange={(e) => { setQ(e.target.value); setIndex(0); }}
        onBlur={() => onPick(null)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onPick(null);
          else if (e.key === 'ArrowDown') setIndex((i) => Math.min(i + 1, matches.length - 1));
          else if (e.key === 'ArrowUp') setIndex((i) => Math.max(i - 1, 0));
          else if (e.key === 'Enter' && matches[index]) { e.preventDefault(); onPick(matches[index].type); }
        }} />
      <ul>
        {matches.slice(0, 8).map((s, i) => (
          <li key={s.type} className={i === index ? 'active' : ''} onMouseDown={(e) => { e.preventDefault(); onPick(s.type); }}>
            <b>{s.type}</b> <span>{s.description}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
