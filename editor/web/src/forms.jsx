// Forms for the node types a Node-RED user knows, with Node-RED's widgets: the typed input
// (msg / flow / global / string / number / boolean / JSON / JSONata / env / date / vault), rule
// lists for switch and change (add, remove, reorder; a switch's ports follow its rules and keep
// their wires), inject's properties and repeat, http-in's full address. Other types get the
// schema-driven form (properties.jsx).

import { useEffect, useState } from 'react';
import { SWITCH_TESTS } from './nodes.js';
import { api } from './api.js';
import { ConnectionForm, CONNECTION_NODE_TYPES } from './connections.jsx';

export const VALUE_TYPES = {
  msg: 'msg.',
  flow: 'flow.',
  global: 'global.',
  str: 'a-z',
  num: '0-9',
  bool: 'bool',
  json: '{}',
  jsonata: 'J:',
  env: 'env',
  date: 'timestamp',
  vault: 'vault',
};

const VAULT = 'vault:';

/** The names in the signed-in user's vault (never the values), fetched once per page. */
let vaultKeys = null;
function useVaultKeys(wanted) {
  const [keys, setKeys] = useState(vaultKeys);
  useEffect(() => {
    if (!wanted || keys) return;
    vaultKeys = vaultKeys || api.vault().then((r) => r.keys);
    let live = true;
    Promise.resolve(vaultKeys).then(
      (k) => live && setKeys(k),
      () => live && setKeys([]),
    );
    return () => {
      live = false;
    };
  }, [wanted, keys]);
  return Array.isArray(keys) ? keys : [];
}

/**
 * Node-RED's typed input: a type picker in front of the value. `vault` (when in `types`) picks an
 * entry of the vault: stored as the string `vault:<name>` (type `str`), which the server replaces
 * with the secret when it deploys the flow, so the value never reaches the browser.
 */
export function TypedInput({ value, type, types, onChange, testId = 'typed' }) {
  const text = value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  const isVault = types.includes('vault') && (type || 'str') === 'str' && text.startsWith(VAULT);
  const t = isVault ? 'vault' : type || types[0];
  const keys = useVaultKeys(t === 'vault');
  const pick = (next) => {
    if (next === 'vault') onChange(VAULT + (text.startsWith(VAULT) ? text.slice(VAULT.length) : keys[0] || ''), 'str');
    else onChange(t === 'vault' ? '' : text, next);
  };
  if (t === 'vault') {
    const name = text.slice(VAULT.length);
    return (
      <span className="typed-input" data-testid={testId} data-type="vault">
        <select value="vault" data-testid={testId + '-type'} onChange={(e) => pick(e.target.value)}>
          {types.map((x) => (
            <option key={x} value={x}>
              {VALUE_TYPES[x] || x}
            </option>
          ))}
        </select>
        <select value={name} data-testid={testId + '-vault'} onChange={(e) => onChange(VAULT + e.target.value, 'str')}>
          {!keys.includes(name) && <option value={name}>{name || '(pick an entry)'}</option>}
          {keys.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
      </span>
    );
  }
  return (
    <span className="typed-input" data-testid={testId} data-type={t}>
      <select value={t} data-testid={testId + '-type'} onChange={(e) => pick(e.target.value)}>
        {types.map((x) => (
          <option key={x} value={x}>
            {VALUE_TYPES[x] || x}
          </option>
        ))}
      </select>
      {t === 'bool' ? (
        <select
          value={String(value) === 'false' ? 'false' : 'true'}
          data-testid={testId + '-value'}
          onChange={(e) => onChange(e.target.value, t)}
        >
          <option value="true">true</option>
          <option value="false">false</option>
        </select>
      ) : t === 'date' ? (
        <span className="hint"> the time in ms</span>
      ) : (
        <input value={text} data-testid={testId + '-value'} onChange={(e) => onChange(e.target.value, t)} />
      )}
    </span>
  );
}

function moved(list, from, to) {
  const next = list.slice();
  const [x] = next.splice(from, 1);
  next.splice(to, 0, x);
  return next;
}

/** A rule list: rows with up / down / remove, and an add button. */
function RuleList({ rules, onChange, renderRule, make, testId }) {
  return (
    <div className="rule-list" data-testid={testId}>
      {rules.map((r, i) => (
        <div className="rule" key={i} data-testid="rule" data-index={i}>
          <span className="rule-no">{i + 1}</span>
          {renderRule(r, (next) =>
            onChange(
              rules.map((x, j) => (j === i ? next : x)),
              null,
            ),
          )}
          <span className="rule-tools">
            <button
              title="up"
              disabled={i === 0}
              data-testid="rule-up"
              onClick={() => onChange(moved(rules, i, i - 1), { from: i, to: i - 1 })}
            >
              ↑
            </button>
            <button
              title="down"
              disabled={i === rules.length - 1}
              data-testid="rule-down"
              onClick={() => onChange(moved(rules, i, i + 1), { from: i, to: i + 1 })}
            >
              ↓
            </button>
            <button
              title="remove"
              data-testid="rule-remove"
              onClick={() =>
                onChange(
                  rules.filter((_, j) => j !== i),
                  { removed: i },
                )
              }
            >
              ×
            </button>
          </span>
        </div>
      ))}
      <button data-testid="rule-add" onClick={() => onChange(rules.concat([make()]), { added: rules.length })}>
        + add
      </button>
    </div>
  );
}

/**
 * Where each old output port of a switch goes after a rule-list edit (-1: removed). The last
 * port is the default one and stays last.
 */
export function switchPortMap(oldCount, edit) {
  const rulesBefore = oldCount - 1;
  const order = Array.from({ length: rulesBefore }, (_, i) => i);
  if (edit && edit.removed !== undefined) order.splice(edit.removed, 1);
  if (edit && edit.from !== undefined) {
    const [x] = order.splice(edit.from, 1);
    order.splice(edit.to, 0, x);
  }
  if (edit && edit.added !== undefined) order.push(-1);
  const map = new Map();
  order.forEach((old, now) => {
    if (old >= 0) map.set(old, now);
  });
  map.set(rulesBefore, order.length); // default port
  return (port) => (map.has(port) ? map.get(port) : -1);
}

function SwitchForm({ config, set, setRules }) {
  const rules = Array.isArray(config.rules) ? config.rules : [];
  return (
    <>
      <div className="field" data-testid="field" data-field="property">
        <span className="label">Property</span>
        <TypedInput
          testId="switch-property"
          value={config.property ?? 'payload'}
          type={config.propertyType || 'msg'}
          types={['msg', 'flow', 'global', 'jsonata', 'env']}
          onChange={(v, t) => set({ property: v, propertyType: t })}
        />
      </div>
      <div className="field" data-testid="field" data-field="rules">
        <span className="label">
          Rules <small>(one output each, then the default output)</small>
        </span>
        <RuleList
          testId="switch-rules"
          rules={rules}
          make={() => ({ t: 'eq', v: '', vt: 'str' })}
          onChange={setRules}
          renderRule={(r, change) => (
            <span className="rule-body">
              <select value={r.t || 'eq'} data-testid="rule-test" onChange={(e) => change({ ...r, t: e.target.value })}>
                {Object.entries(SWITCH_TESTS).map(([k, v]) => (
                  <option key={k} value={k}>
                    {v}
                  </option>
                ))}
              </select>
              {!['true', 'false', 'null', 'nnull', 'empty', 'nempty', 'else'].includes(r.t) && (
                <TypedInput
                  testId="rule-value"
                  value={r.v}
                  type={r.vt || 'str'}
                  types={['str', 'num', 'bool', 'json', 'msg', 'flow', 'global', 'env', 'jsonata']}
                  onChange={(v, t) => change({ ...r, v, vt: t })}
                />
              )}
              {r.t === 'btwn' && (
                <TypedInput
                  testId="rule-value2"
                  value={r.v2}
                  type={r.v2t || 'num'}
                  types={['num', 'msg', 'flow', 'global', 'env']}
                  onChange={(v, t) => change({ ...r, v2: v, v2t: t })}
                />
              )}
              <span className="hint port-no">→ {'output ' + (rules.indexOf(r) + 1)}</span>
            </span>
          )}
        />
      </div>
      <label className="field inline">
        <select
          value={config.checkall === false || config.checkall === 'false' ? 'false' : 'true'}
          data-testid="switch-checkall"
          onChange={(e) => set({ checkall: e.target.value === 'true' })}
        >
          <option value="true">checking all rules</option>
          <option value="false">stopping after first match</option>
        </select>
      </label>
    </>
  );
}

const CHANGE_VERBS = { set: 'Set', change: 'Change', delete: 'Delete', move: 'Move' };

function ChangeForm({ config, set }) {
  const rules = Array.isArray(config.rules) ? config.rules : [];
  return (
    <div className="field" data-testid="field" data-field="rules">
      <span className="label">Rules</span>
      <RuleList
        testId="change-rules"
        rules={rules}
        make={() => ({ t: 'set', p: 'payload', pt: 'msg', to: '', tot: 'str' })}
        onChange={(next) => set({ rules: next })}
        renderRule={(r, change) => (
          <span className="rule-body">
            <select value={r.t || 'set'} data-testid="rule-verb" onChange={(e) => change({ ...r, t: e.target.value })}>
              {Object.entries(CHANGE_VERBS).map(([k, v]) => (
                <option key={k} value={k}>
                  {v}
                </option>
              ))}
            </select>
            <TypedInput
              testId="rule-property"
              value={r.p}
              type={r.pt || 'msg'}
              types={['msg', 'flow', 'global']}
              onChange={(v, t) => change({ ...r, p: v, pt: t })}
            />
            {r.t === 'change' && (
              <>
                <span className="hint">search for</span>
                <TypedInput
                  testId="rule-from"
                  value={r.from}
                  type={r.fromt || 'str'}
                  types={['str', 'num', 'bool', 're', 'msg', 'flow', 'global', 'env']}
                  onChange={(v, t) => change({ ...r, from: v, fromt: t })}
                />
              </>
            )}
            {(r.t === 'set' || r.t === 'change' || r.t === 'move' || !r.t) && (
              <>
                <span className="hint">to</span>
                <TypedInput
                  testId="rule-to"
                  value={r.to}
                  type={r.tot || (r.t === 'move' ? 'msg' : 'str')}
                  types={
                    r.t === 'move'
                      ? ['msg', 'flow', 'global']
                      : ['str', 'num', 'bool', 'json', 'date', 'msg', 'flow', 'global', 'env', 'jsonata', 'vault']
                  }
                  onChange={(v, t) => change({ ...r, to: v, tot: t })}
                />
              </>
            )}
          </span>
        )}
      />
    </div>
  );
}

// Node-RED's "interval between times": every N minutes from one hour to another on some days,
// written as Node-RED writes it, `*/N H1-H2 * * days` (H2 is the last hour started, the end - 1)
const BETWEEN = /^\*\/(\d+) (\d+)(?:-(\d+))? \* \* (\*|[0-6](?:,[0-6])*)$/;
const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

export function parseBetween(crontab) {
  const m = BETWEEN.exec(crontab || '');
  if (!m) return null;
  const from = Number(m[2]);
  const last = m[3] === undefined ? from : Number(m[3]);
  const days = m[4] === '*' ? [0, 1, 2, 3, 4, 5, 6] : m[4].split(',').map(Number);
  return { every: Number(m[1]), from, to: last + 1, days };
}

export function betweenCron({ every, from, to, days }) {
  const hours = to - 1 > from ? from + '-' + (to - 1) : String(from);
  const dayField = days.length === 7 ? '*' : [...days].sort().join(',');
  return '*/' + every + ' ' + hours + ' * * ' + dayField;
}

function BetweenTimes({ crontab, set }) {
  const b = parseBetween(crontab) || { every: 5, from: 9, to: 17, days: [1, 2, 3, 4, 5] };
  const put = (change) => set({ repeat: '', crontab: betweenCron({ ...b, ...change }) });
  const hours = (testId, value, change, first) => (
    <select value={value} data-testid={testId} onChange={(e) => change(Number(e.target.value))}>
      {Array.from({ length: 24 }, (_, i) => i + first).map((h) => (
        <option key={h} value={h}>
          {String(h).padStart(2, '0')}:00
        </option>
      ))}
    </select>
  );
  return (
    <span className="row between" data-testid="inject-between">
      every{' '}
      <select value={b.every} data-testid="between-every" onChange={(e) => put({ every: Number(e.target.value) })}>
        {[1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30].map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>{' '}
      minutes between {hours('between-from', b.from, (from) => put({ from, to: Math.max(b.to, from + 1) }), 0)} and{' '}
      {hours('between-to', b.to, (to) => put({ to, from: Math.min(b.from, to - 1) }), 1)}
      <span className="days">
        {DAY_NAMES.map((name, day) => (
          <label key={day}>
            <input
              type="checkbox"
              data-testid="between-day"
              checked={b.days.includes(day)}
              onChange={(e) =>
                put({
                  days: e.target.checked ? [...b.days, day] : b.days.filter((d) => d !== day || b.days.length === 1),
                })
              }
            />
            {name}
          </label>
        ))}
      </span>
    </span>
  );
}

function repeatKind(c) {
  if (c.crontab && parseBetween(c.crontab)) return 'between';
  if (c.crontab) return 'cron';
  if (c.repeat !== undefined && c.repeat !== '' && Number(c.repeat) > 0) return 'interval';
  return 'none';
}

function InjectForm({ config, set }) {
  const props = Array.isArray(config.props)
    ? config.props
    : [
        { p: 'payload', v: config.payload ?? '', vt: config.payloadType || 'date' },
        { p: 'topic', v: config.topic || '', vt: 'str' },
      ];
  const [kind, setKind] = useState(repeatKind(config));
  return (
    <>
      <div className="field" data-testid="field" data-field="props">
        <span className="label">Properties</span>
        <RuleList
          testId="inject-props"
          rules={props}
          make={() => ({ p: '', v: '', vt: 'str' })}
          onChange={(next) => set({ props: next })}
          renderRule={(r, change) => (
            <span className="rule-body">
              <span className="hint">msg.</span>
              <input
                value={r.p || ''}
                data-testid="prop-name"
                size={8}
                onChange={(e) => change({ ...r, p: e.target.value })}
              />
              <span className="hint">=</span>
              <TypedInput
                testId="prop-value"
                value={r.v}
                type={r.vt || 'str'}
                types={['str', 'num', 'bool', 'json', 'date', 'flow', 'global', 'env', 'jsonata', 'vault']}
                onChange={(v, t) => change({ ...r, v, vt: t })}
              />
            </span>
          )}
        />
      </div>
      <label className="field inline">
        <input
          type="checkbox"
          checked={config.once === true}
          data-testid="inject-once"
          onChange={(e) => set({ once: e.target.checked })}
        />
        <span>Inject once after</span>
        <input size={4} value={config.onceDelay ?? 0.1} onChange={(e) => set({ onceDelay: e.target.value })} />{' '}
        <span>seconds</span>
      </label>
      <div className="field">
        <span className="label">Repeat</span>
        <select
          value={kind}
          data-testid="inject-repeat"
          onChange={(e) => {
            setKind(e.target.value);
            if (e.target.value === 'none') set({ repeat: '', crontab: '' });
            if (e.target.value === 'interval') set({ repeat: config.repeat || '1', crontab: '' });
            if (e.target.value === 'between')
              set({ repeat: '', crontab: betweenCron({ every: 5, from: 9, to: 17, days: [1, 2, 3, 4, 5] }) });
            if (e.target.value === 'cron') set({ repeat: '', crontab: config.crontab || '0 * * * *' });
          }}
        >
          <option value="none">none</option>
          <option value="interval">interval</option>
          <option value="between">interval between times</option>
          <option value="cron">at a specific time (cron)</option>
        </select>
        {kind === 'interval' && (
          <span className="row">
            every{' '}
            <input
              size={5}
              data-testid="inject-interval"
              value={config.repeat ?? ''}
              onChange={(e) => set({ repeat: e.target.value })}
            />{' '}
            seconds
          </span>
        )}
        {kind === 'between' && <BetweenTimes crontab={config.crontab} set={set} />}
        {kind === 'cron' && (
          <span className="row">
            cron{' '}
            <input
              data-testid="inject-cron"
              value={config.crontab || ''}
              onChange={(e) => set({ crontab: e.target.value })}
            />
          </span>
        )}
      </div>
    </>
  );
}

function HttpInForm({ config, set, flowId }) {
  const url = location.origin + '/hook/' + encodeURIComponent(flowId) + (config.path || '');
  return (
    <>
      <label className="field">
        <span className="label">Method</span>
        <select
          value={String(config.method || 'GET').toUpperCase()}
          data-testid="http-method"
          onChange={(e) => set({ method: e.target.value })}
        >
          {['GET', 'POST', 'PUT', 'DELETE', 'PATCH'].map((m) => (
            <option key={m}>{m}</option>
          ))}
        </select>
      </label>
      <label className="field">
        <span className="label">URL</span>
        <input
          value={config.path || ''}
          placeholder="/hello"
          data-testid="http-path"
          onChange={(e) => set({ path: e.target.value })}
        />
      </label>
      <div className="field">
        <span className="label">Full address</span>
        <span className="row">
          <code data-testid="http-url" className="url">
            {url}
          </code>
          <button
            data-testid="http-url-copy"
            onClick={() => navigator.clipboard && navigator.clipboard.writeText(url).catch(() => {})}
          >
            copy
          </button>
        </span>
      </div>
    </>
  );
}

function LinkForm({ node, config, set, nodes }) {
  const targets = nodes.filter((n) => n.data.type === 'link-in' && n.id !== node.id);
  const links = Array.isArray(config.links) ? config.links : [];
  return (
    <div className="field" data-testid="field" data-field="links">
      <span className="label">Links to</span>
      {targets.length === 0 && <span className="hint">no link-in node in this flow</span>}
      {targets.map((t) => (
        <label key={t.id} className="field inline">
          <input
            type="checkbox"
            data-testid="link-target"
            data-target={t.id}
            checked={links.includes(t.id)}
            onChange={(e) => set({ links: e.target.checked ? links.concat(t.id) : links.filter((x) => x !== t.id) })}
          />
          <span>{t.data.name || t.id}</span>
        </label>
      ))}
    </div>
  );
}

export function DebugForm({ config, set }) {
  const complete = config.complete === true || config.complete === 'true';
  return (
    <div className="field">
      <span className="label">Output</span>
      <TypedInput
        testId="debug-output"
        value={complete ? 'complete message' : config.property || 'payload'}
        type={complete ? 'full' : 'msg'}
        types={['msg', 'full']}
        onChange={(v, t) =>
          set(
            t === 'full' ? { complete: true } : { complete: false, property: v === 'complete message' ? 'payload' : v },
          )
        }
      />
    </div>
  );
}

const FORMS = {
  switch: SwitchForm,
  change: ChangeForm,
  inject: InjectForm,
  'http-in': HttpInForm,
  'link-out': LinkForm,
  'link-call': LinkForm,
  ...Object.fromEntries(CONNECTION_NODE_TYPES.map((t) => [t, ConnectionForm])),
};

/** The config fields each form shows; the schema form shows the others below it. */
export const FORM_FIELDS = {
  switch: ['property', 'propertyType', 'rules', 'checkall', 'checkAll'],
  change: ['rules'],
  inject: ['props', 'payload', 'payloadType', 'topic', 'once', 'onceDelay', 'repeat', 'crontab'],
  'http-in': ['method', 'path'],
  'link-out': ['links'],
  'link-call': ['links'],
  ...Object.fromEntries(CONNECTION_NODE_TYPES.map((t) => [t, ['connection']])),
};

/** The Node-RED style form of a node type, or null when the schema form is the one to use. */
export function NodeForm({ node, flowId, nodes, configNodes, onChange }) {
  const Form = FORMS[node.data.type];
  if (!Form) return null;
  const id = node.id;
  const config = node.data.config || {};
  const set = (patch) =>
    onChange(id, (d) => ({ ...d, config: { ...d.config, ...patch } }), id + '/form/' + Object.keys(patch).join(','));
  const setRules = (rules, edit) => {
    const before = (Array.isArray(config.rules) ? config.rules.length : 0) + 1;
    onChange(
      id,
      (d) => ({ ...d, config: { ...d.config, rules } }),
      edit ? null : id + '/form/rules',
      edit ? switchPortMap(before, edit) : null,
    );
  };
  return (
    <div className="node-form" data-testid="node-form">
      <Form
        node={node}
        config={config}
        set={set}
        setRules={setRules}
        flowId={flowId}
        nodes={nodes}
        configNodes={configNodes || []}
      />
    </div>
  );
}
