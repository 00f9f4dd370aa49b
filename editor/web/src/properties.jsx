import { useEffect, useRef, useState } from 'react';
import { api } from './api.js';
import { NodeForm, FORM_FIELDS } from './forms.jsx';

// The properties panel, generated from the node type's config schema (GET /api/v1/nodes):
// one editor per field type, the server's validation problems under the field they concern.

export function PropertiesPanel({
  node,
  spec,
  problems,
  onChange,
  selectedCount,
  flowId,
  nodes,
  configNodes,
  children,
}) {
  if (!node) {
    return (
      <aside className="properties" data-testid="properties">
        <p className="hint">{selectedCount > 1 ? selectedCount + ' nodes selected' : 'Select a node to edit it.'}</p>
        {children}
        <p className="hint keys">
          Keys: Ctrl-Z / Ctrl-Shift-Z undo/redo · Ctrl-C/V copy/paste · Del delete · / quick-add · F fit · Ctrl-S save ·
          Ctrl-D deploy · drag on the canvas to lasso, right-drag or scroll to pan, Ctrl-scroll to zoom
        </p>
      </aside>
    );
  }
  const id = node.id;
  const data = node.data;
  const byField = new Map();
  const general = [];
  for (const p of problems) {
    const field = p.field && p.field.startsWith('config.') ? p.field.slice(7) : p.field;
    if (field && spec && spec.config.some((f) => f.name === field)) {
      if (!byField.has(field)) byField.set(field, []);
      byField.get(field).push(p);
    } else general.push(p);
  }
  const setConfig = (name, value) =>
    onChange(
      id,
      (d) => {
        const config = { ...d.config };
        if (value === undefined) delete config[name];
        else config[name] = value;
        return { ...d, config };
      },
      id + '/config/' + name,
    );
  return (
    <aside className="properties" data-testid="properties" data-node-id={id}>
      <h3>
        {data.type} <small>{id}</small>
      </h3>
      {spec && <p className="hint">{spec.description}</p>}
      {!spec && <p className="error">Unknown node type ‘{data.type}’.</p>}
      {general.map((p, i) => (
        <div key={i} className="error" data-testid="node-problem-text">
          {p.message}
        </div>
      ))}
      <label className="field">
        <span>name</span>
        <input
          value={data.name}
          data-testid="field-name"
          onChange={(e) => onChange(id, (d) => ({ ...d, name: e.target.value }), id + '/name')}
        />
      </label>
      <label className="field inline">
        <input
          type="checkbox"
          checked={data.disabled}
          data-testid="field-disabled"
          onChange={(e) => onChange(id, (d) => ({ ...d, disabled: e.target.checked }))}
        />
        <span>disabled</span>
      </label>
      <NodeForm node={node} flowId={flowId} nodes={nodes} configNodes={configNodes} onChange={onChange} />
      {spec &&
        spec.config
          .filter((f) => !(FORM_FIELDS[data.type] || []).includes(f.name))
          .map((f) => (
            <Field
              key={id + '/' + f.name}
              field={f}
              value={data.config[f.name]}
              problems={byField.get(f.name) || []}
              onChange={(v) => setConfig(f.name, v)}
            />
          ))}
    </aside>
  );
}

function Field({ field, value, problems, onChange }) {
  const invalid = problems.length > 0;
  return (
    <div
      className={'field' + (invalid ? ' invalid' : '')}
      data-testid="field"
      data-field={field.name}
      data-field-type={field.type}
    >
      <span className="label">
        {field.name}
        {field.required && <b title="required"> *</b>} <small>{field.type}</small>
      </span>
      <FieldEditor field={field} value={value} onChange={onChange} />
      <small className="hint">{field.description}</small>
      {problems.map((p, i) => (
        <div key={i} className="error" data-testid="field-problem">
          {p.message}
        </div>
      ))}
    </div>
  );
}

function FieldEditor({ field, value, onChange }) {
  const shown = value === undefined ? field.default : value;
  switch (field.type) {
    case 'string':
      return (
        <input
          data-testid="input"
          value={shown == null ? '' : String(shown)}
          onChange={(e) => onChange(e.target.value)}
        />
      );
    case 'number':
    case 'integer':
      return <NumberInput integer={field.type === 'integer'} value={shown} onChange={onChange} />;
    case 'boolean':
      return (
        <input type="checkbox" data-testid="input" checked={!!shown} onChange={(e) => onChange(e.target.checked)} />
      );
    case 'enum':
      return (
        <select
          data-testid="input"
          value={shown == null ? '' : String(shown)}
          onChange={(e) => onChange(e.target.value)}
        >
          {shown == null && <option value="">—</option>}
          {field.options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      );
    case 'code':
      return <CodeEditor value={shown == null ? '' : String(shown)} onChange={onChange} />;
    case 'secret':
      return <SecretPicker value={shown == null ? '' : String(shown)} onChange={onChange} />;
    case 'object':
      if (shown == null || isFlatObject(shown)) return <KeyValueEditor value={shown || {}} onChange={onChange} />;
      return <JsonEditor value={shown} onChange={onChange} />;
    default:
      return <JsonEditor value={value} onChange={onChange} />;
  }
}

function isFlatObject(v) {
  return typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
}

function NumberInput({ integer, value, onChange }) {
  const [text, setText] = useState(value == null ? '' : String(value));
  useEffect(() => setText(value == null ? '' : String(value)), [value]);
  return (
    <input
      data-testid="input"
      inputMode="decimal"
      value={text}
      onChange={(e) => {
        setText(e.target.value);
        const t = e.target.value.trim();
        if (t === '') onChange(undefined);
        else if (!Number.isNaN(Number(t)) && (!integer || Number.isInteger(Number(t)))) onChange(Number(t));
        else onChange(t); // the server's validation names the field
      }}
    />
  );
}

let codeMirror = null; // the CodeMirror chunk, imported once

/**
 * Function and template bodies: CodeMirror 6 (codemirror.js, its own chunk, loaded the first time
 * a code field is shown); the plain text box while it loads, and if it cannot be loaded.
 */
function CodeEditor({ value, onChange }) {
  const box = useRef(null);
  const editor = useRef(null);
  const latest = useRef(onChange);
  latest.current = onChange;
  const [ready, setReady] = useState(false);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let cancelled = false;
    (codeMirror ||= import('./codemirror.js'))
      .then((cm) => {
        if (cancelled || !box.current) return;
        editor.current = cm.mount(box.current, value, (text) => latest.current(text));
        setReady(true);
      })
      .catch(() => setFailed(true));
    return () => {
      cancelled = true;
      if (editor.current) editor.current.destroy();
      editor.current = null;
    };
    // mounted once per field; later values arrive through set() below
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  useEffect(() => {
    if (editor.current) editor.current.set(value);
  }, [value]);
  return (
    <>
      <div className="cm-box" ref={box} data-testid="code-editor" data-ready={ready} />
      {failed && <PlainCodeEditor value={value} onChange={onChange} />}
    </>
  );
}

/** A plain code editor: monospace, Tab indents, line numbers in the gutter, no wrapping. */
function PlainCodeEditor({ value, onChange }) {
  const lines = value.split('\n').length;
  return (
    <div className="code-editor">
      <pre className="gutter" aria-hidden="true">
        {Array.from({ length: lines }, (_, i) => i + 1).join('\n')}
      </pre>
      <textarea
        data-testid="input"
        className="code"
        spellCheck={false}
        value={value}
        rows={Math.min(Math.max(lines + 1, 6), 24)}
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Tab') {
            e.preventDefault();
            const t = e.target;
            const s = t.selectionStart;
            const next = value.slice(0, s) + '  ' + value.slice(t.selectionEnd);
            onChange(next);
            requestAnimationFrame(() => {
              t.selectionStart = t.selectionEnd = s + 2;
            });
          }
        }}
      />
    </div>
  );
}

/** Any JSON value; text that does not parse is kept in the box and flagged, not sent. */
function JsonEditor({ value, onChange }) {
  const [text, setText] = useState(value === undefined ? '' : JSON.stringify(value, null, 2));
  const [error, setError] = useState('');
  useEffect(() => {
    let same = false;
    try {
      same = text.trim() !== '' && JSON.stringify(JSON.parse(text)) === JSON.stringify(value);
    } catch {
      same = false;
    }
    if (!same) setText(value === undefined ? '' : JSON.stringify(value, null, 2));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value]);
  return (
    <>
      <textarea
        data-testid="input"
        className="code"
        spellCheck={false}
        rows={Math.min(Math.max(text.split('\n').length, 3), 16)}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value.trim() === '') {
            setError('');
            onChange(undefined);
            return;
          }
          try {
            const parsed = JSON.parse(e.target.value);
            setError('');
            onChange(parsed);
          } catch (err) {
            setError('not JSON yet: ' + err.message);
          }
        }}
      />
      {error && (
        <div className="warn" data-testid="json-error">
          {error}
        </div>
      )}
    </>
  );
}

function KeyValueEditor({ value, onChange }) {
  const entries = Object.entries(value);
  const set = (list) => onChange(Object.fromEntries(list));
  return (
    <div className="kv" data-testid="kv">
      {entries.map(([k, v], i) => (
        <div className="row" key={i}>
          <input
            value={k}
            placeholder="key"
            onChange={(e) => set(entries.map((x, j) => (j === i ? [e.target.value, x[1]] : x)))}
          />
          <input
            value={v}
            placeholder="value"
            onChange={(e) => set(entries.map((x, j) => (j === i ? [x[0], e.target.value] : x)))}
          />
          <button onClick={() => set(entries.filter((_, j) => j !== i))} title="remove">
            ×
          </button>
        </div>
      ))}
      <button
        data-testid="kv-add"
        onClick={() => {
          if (!('' in value)) set(entries.concat([['', '']]));
        }}
      >
        + entry
      </button>
    </div>
  );
}

function SecretPicker({ value, onChange }) {
  const [keys, setKeys] = useState([]);
  useEffect(() => {
    api
      .vault()
      .then((r) => setKeys(r.keys))
      .catch(() => setKeys([]));
  }, []);
  const picked = value.startsWith('vault:') ? value.slice(6) : '';
  return (
    <div className="secret">
      <select
        data-testid="secret-select"
        value={picked}
        onChange={(e) => onChange(e.target.value ? 'vault:' + e.target.value : undefined)}
      >
        <option value="">— pick a vault entry —</option>
        {keys.map((k) => (
          <option key={k} value={k}>
            {k}
          </option>
        ))}
      </select>
      <small className="hint">
        stored as <code>{value || 'vault:<name>'}</code>; add entries on the <a href="#/vault">Vault</a> page
      </small>
    </div>
  );
}
