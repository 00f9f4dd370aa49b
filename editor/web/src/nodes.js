// What a node looks like on the canvas, as Node-RED draws it: a box 30 px high (taller with more
// ports), as wide as its label, its position the centre of the box (Node-RED's x/y, so that an
// imported flow lands where it was); the label shows the key setting ("[get] /hello",
// "msg.payload"); ports 13 px apart around the middle. Everything here is computed from the node
// and the catalogue alone, before the browser measures anything.

import { Position } from '@xyflow/react';

export const NODE_HEIGHT = 30;
export const PORT = 10;
const PORT_SPACING = 13;

const CATEGORY_COLORS = {
  common: '#a6bbcf',
  function: '#fdd0a2',
  network: '#c0deed',
  storage: '#e2d96e',
  ai: '#f3b5d6',
};
export function categoryColor(category) {
  return CATEGORY_COLORS[category] || '#ddd';
}

const ICONS = {
  inject: '➜',
  debug: '☰',
  function: 'ƒ',
  switch: '⤨',
  change: '✎',
  template: '{}',
  delay: '⏱',
  trigger: '⏲',
  'http-in': '⇥',
  'http-out': '⇤',
  'http-request': '⇄',
  webhook: '⚓',
  'link-in': '⟵',
  'link-out': '⟶',
  'link-call': '↪',
  json: '{ }',
  split: '⋔',
  join: '⋈',
  comment: '✍',
  catch: '⚠',
  status: '●',
  complete: '✔',
  filter: '⊃',
  range: '↕',
  rbe: '≠',
  counter: '#',
  timer: '⏰',
  junction: '•',
  llm: '✦',
  'ai-agent': '✦',
};
export function iconOf(type) {
  return ICONS[type] || '◆';
}

/** Output port counts that depend on the config (the server's outputCount functions). */
export function outputCount(type, spec, config) {
  const c = config || {};
  switch (type) {
    case 'switch':
      return (Array.isArray(c.rules) ? c.rules.length : 0) + 1;
    case 'function':
      return Number.isInteger(c.outputs) && c.outputs > 0 ? Math.min(c.outputs, 64) : 1;
    case 'classifier':
      return 2 + categoryNames(c.categories).length;
    case 'trigger':
      return String(c.outputs) === '2' ? 2 : 1;
    default:
      return spec ? (spec.outputs || []).length : 1;
  }
}

const SWITCH_TESTS = {
  eq: '==',
  neq: '!=',
  lt: '<',
  lte: '<=',
  gt: '>',
  gte: '>=',
  btwn: 'is between',
  cont: 'contains',
  regex: 'matches regex',
  true: 'is true',
  false: 'is false',
  null: 'is null',
  nnull: 'is not null',
  empty: 'is empty',
  nempty: 'is not empty',
  istype: 'is of type',
  head: 'head',
  tail: 'tail',
  index: 'index between',
  hask: 'has key',
  jsonata_exp: 'JSONata exp',
  else: 'otherwise',
};
export { SWITCH_TESTS };

export function outputPorts(type, spec, config) {
  const n = outputCount(type, spec, config);
  const declared = (spec && spec.outputs) || [];
  const ports = [];
  for (let i = 0; i < n; i++) {
    let name = declared[i] ? declared[i].name : 'output' + i;
    if (type === 'switch') {
      const rules = (config && config.rules) || [];
      name = i < rules.length ? ruleText(rules[i]) : 'default: no rule matched';
    } else if (type === 'classifier' && i >= 2) {
      name = categoryNames(config && config.categories)[i - 2]; // result, error, then one per category
    }
    ports.push({ name, type: (declared[i] || declared[declared.length - 1] || { type: 'any' }).type });
  }
  return ports;
}

// the classifier's categories: "a,b,c", ["a", "b"] or [{name, description}]
export function categoryNames(categories) {
  const list = typeof categories === 'string' ? categories.split(',') : Array.isArray(categories) ? categories : [];
  return list
    .map((c) => (typeof c === 'string' ? c : c && typeof c.name === 'string' ? c.name : ''))
    .map((name) => name.trim())
    .filter((name) => name.length > 0)
    .slice(0, 64);
}

function ruleText(r) {
  if (!r || typeof r !== 'object') return 'rule';
  if (r.type) return r.type + ' ' + (r.value ?? '');
  const op = SWITCH_TESTS[r.t] || r.t;
  return (
    op +
    (r.v !== undefined && r.v !== '' ? ' ' + (r.vt && r.vt !== 'str' ? r.vt + '.' : '') + r.v : '') +
    (r.t === 'btwn' ? ' and ' + r.v2 : '')
  );
}

function typed(value, type) {
  if (type === 'msg' || type === 'flow' || type === 'global') return type + '.' + value;
  if (type === 'date') return 'timestamp';
  if (type === 'env') return '${' + value + '}';
  if (value === undefined || value === null || value === '') return type || '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The label Node-RED would show: the name, else the key setting. */
export function labelOf(type, name, config) {
  // an import names unnamed nodes after their type (ours or Node-RED's): that is no name
  if (name && name !== type && name !== type.replace(/-/g, ' ') && name !== NODE_RED_NAMES[type]) return name;
  const c = config || {};
  switch (type) {
    case 'http-in':
      return '[' + String(c.method || 'get').toLowerCase() + '] ' + (c.path || '');
    case 'inject': {
      let label = 'timestamp';
      const props = Array.isArray(c.props) ? c.props : null;
      const payload = props ? props.find((p) => p.p === 'payload') : null;
      if (payload && payload.vt && payload.vt !== 'date')
        label = typed(payload.v ?? c.payload, payload.vt === 'str' ? undefined : payload.vt);
      else if (!props && c.payload !== undefined && c.payloadType !== 'date') label = typed(c.payload);
      if (c.topic && label === 'timestamp') label = c.topic;
      return label + (c.repeat || c.crontab ? ' ↻' : '');
    }
    case 'debug':
      return c.complete === true || c.complete === 'true' ? 'msg' : 'msg.' + (c.property || 'payload');
    case 'change': {
      const rules = Array.isArray(c.rules) ? c.rules : [];
      if (rules.length === 1) {
        const r = rules[0];
        const verb = { set: 'set', change: 'change', delete: 'delete', move: 'move' }[r.t] || r.t;
        return verb + ' ' + (r.pt || 'msg') + '.' + (r.p || '');
      }
      return rules.length ? rules.length + ' rules' : 'change';
    }
    case 'http-request':
      return 'http request';
    case 'http-out':
      return 'http response';
    case 'link-in':
      return 'link in';
    case 'link-out':
      return c.mode === 'return' ? 'link return' : 'link out';
    case 'link-call':
      return 'link call';
    case 'delay':
      return c.delayMs !== undefined ? 'delay ' + c.delayMs + ' ms' : 'delay';
    default:
      return type;
  }
}

const NODE_RED_NAMES = { 'http-in': 'http in', 'http-out': 'http response', 'http-request': 'http request' };

let measureContext = null;
const widths = new Map();
function textWidth(text) {
  let w = widths.get(text);
  if (w !== undefined) return w;
  if (!measureContext) {
    measureContext = document.createElement('canvas').getContext('2d');
    measureContext.font = '14px Helvetica, Arial, sans-serif';
  }
  w = measureContext.measureText(text).width;
  if (widths.size > 5000) widths.clear();
  widths.set(text, w);
  return w;
}

export function isLinkIn(type) {
  return type === 'link-in';
}
export function isLinkOut(type) {
  return type === 'link-out' || type === 'link-call';
}

/**
 * A node's size and port boxes (relative to its top-left corner), known before the browser
 * measures anything: React Flow then draws nodes and wires in one pass.
 */
export function geometry(type, spec, name, config) {
  const inputs = spec ? spec.inputs || [] : [{ name: 'input', type: 'any' }];
  const outputs = spec ? outputPorts(type, spec, config) : [{ name: 'output', type: 'any' }];
  const label = labelOf(type, name, config);
  const width = Math.max(100, 20 * Math.ceil((Math.min(textWidth(label), 400) + 50 + (inputs.length ? 7 : 0)) / 20));
  const ports = Math.max(inputs.length, outputs.length);
  const height = Math.max(NODE_HEIGHT, ports * 15);
  const portY = (i, n) => height / 2 - ((n - 1) / 2) * PORT_SPACING + PORT_SPACING * i - PORT / 2;
  const handles = [];
  inputs.forEach((p, i) =>
    handles.push({
      id: 'in-' + i,
      type: 'target',
      position: Position.Left,
      x: -PORT / 2,
      y: portY(i, inputs.length),
      width: PORT,
      height: PORT,
    }),
  );
  outputs.forEach((p, i) =>
    handles.push({
      id: 'out-' + i,
      type: 'source',
      position: Position.Right,
      x: width - PORT / 2,
      y: portY(i, outputs.length),
      width: PORT,
      height: PORT,
    }),
  );
  // link nodes: the virtual wires' ends (dashed, not editable as wires)
  if (isLinkIn(type))
    handles.push({
      id: 'link-in',
      type: 'target',
      position: Position.Left,
      x: 0,
      y: height / 2 - 1,
      width: 2,
      height: 2,
    });
  if (isLinkOut(type))
    handles.push({
      id: 'link-out',
      type: 'source',
      position: Position.Right,
      x: width - 2,
      y: height / 2 - 1,
      width: 2,
      height: 2,
    });
  return { width, height, handles, inputs, outputs, label, portY };
}
