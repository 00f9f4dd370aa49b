// The clipboard shared by every tab of the workspace (and kept across reloads in localStorage),
// mirrored to the system clipboard in Node-RED's JSON format so that nodes copied here paste into
// Node-RED, and nodes copied in Node-RED paste here.

const KEY = 'z8.clipboard';

/** Our node types under Node-RED's names, where they differ. */
const NODE_RED_TYPES = {
  'http-in': 'http in',
  'http-out': 'http response',
  'http-request': 'http request',
  'link-in': 'link in',
  'link-out': 'link out',
  'link-call': 'link call',
};
const OUR_TYPES = Object.fromEntries(Object.entries(NODE_RED_TYPES).map(([a, b]) => [b, a]));
const FRAME = new Set(['id', 'type', 'z', 'g', 'x', 'y', 'w', 'h', 'wires', 'name', 'd']);

let clip = null;

/** Node-RED's export of these nodes: one object per node, config fields beside id, type, x, y, wires. */
export function toNodeRed(flowId, nodes, edges) {
  return nodes.map((n) => {
    const wires = [];
    for (const e of edges) {
      if (e.source !== n.id || (e.data && e.data.virtual)) continue;
      const port = Number(String(e.sourceHandle || 'out-0').slice(4));
      while (wires.length <= port) wires.push([]);
      wires[port].push(e.target);
    }
    const out = { id: n.id, type: NODE_RED_TYPES[n.data.type] || n.data.type, z: flowId, name: n.data.name || '' };
    for (const [k, v] of Object.entries(n.data.config || {})) if (!FRAME.has(k)) out[k] = v;
    if (n.data.disabled) out.d = true;
    return Object.assign(out, { x: Math.round(n.position.x), y: Math.round(n.position.y), wires });
  });
}

/** Nodes from Node-RED's JSON (an array of node objects); null when the text is not that. */
export function fromNodeRed(text) {
  let list;
  try {
    list = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(list)) return null;
  const placed = list.filter(
    (n) =>
      n &&
      typeof n === 'object' &&
      typeof n.type === 'string' &&
      typeof n.x === 'number' &&
      n.type !== 'tab' &&
      n.type !== 'group',
  );
  if (!placed.length) return null;
  const ids = new Set(placed.map((n) => n.id));
  const nodes = placed.map((n) => {
    const config = {};
    for (const [k, v] of Object.entries(n)) if (!FRAME.has(k)) config[k] = v;
    return {
      id: n.id,
      position: { x: n.x, y: n.y },
      data: { type: OUR_TYPES[n.type] || n.type, name: n.name || '', disabled: n.d === true, config },
    };
  });
  const edges = [];
  for (const n of placed) {
    (n.wires || []).forEach((targets, port) => {
      for (const t of targets || [])
        if (ids.has(t)) edges.push({ source: n.id, sourceHandle: 'out-' + port, target: t, targetHandle: 'in-0' });
    });
  }
  return { nodes, edges };
}

export function putClipboard(flowId, nodes, edges) {
  clip = {
    nodes: nodes.map((n) => ({ id: n.id, position: n.position, data: n.data })),
    edges: edges.map((e) => ({
      source: e.source,
      sourceHandle: e.sourceHandle,
      target: e.target,
      targetHandle: e.targetHandle,
    })),
  };
  const text = JSON.stringify(toNodeRed(flowId, nodes, edges));
  try {
    localStorage.setItem(KEY, JSON.stringify(clip));
  } catch {
    // a full localStorage only loses the copy across reloads
  }
  if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).catch(() => {});
  return text;
}

export function takeClipboard() {
  if (clip) return clip;
  try {
    clip = JSON.parse(localStorage.getItem(KEY));
  } catch {
    clip = null;
  }
  return clip;
}
