// The connection picker of the database and MQTT nodes (docs/api.md, "Connections"): the node's
// `connection` field names one of the user's stored connections of the matching kind, as a
// Node-RED node names its config node; "new connection…" stores one (the password only as a
// `vault:` reference); "Test connection" asks the server to open a client of its own
// (POST /api/v1/connections/{id}/test, 10 a minute). With no connection picked the node's own
// settings (the fields below the picker, z8run's style) are used, as before.

import { useCallback, useEffect, useState } from 'react';
import { api } from './api.js';

const NEW = '+new';
const OBJECT = '+object';

/** Which connection kinds serve which node types, when the server's list is not there yet. */
const FALLBACK_KINDS = [
  { kind: 'postgres', label: 'PostgreSQL', node_types: ['database'], default_port: 5432 },
  { kind: 'mysql', label: 'MySQL / MariaDB', node_types: ['database'], default_port: 3306 },
  { kind: 'sqlite', label: 'SQLite', node_types: ['database'], default_port: 0 },
  { kind: 'mqtt', label: 'MQTT broker', node_types: ['mqtt-in', 'mqtt-out', 'mqtt'], default_port: 1883 },
];

/** The Node-RED config node types a flow may carry for each kind of node (docs/api.md). */
const CONFIG_NODE_TYPES = {
  database: ['postgreSQLConfig', 'MySQLdatabase', 'sqlitedb'],
  mqtt: ['mqtt-broker'],
};

/** The node types that get the picker. */
export const CONNECTION_NODE_TYPES = ['database', 'mqtt-in', 'mqtt-out', 'mqtt'];

let kindsOnce = null;
function useKinds() {
  const [kinds, setKinds] = useState(FALLBACK_KINDS);
  useEffect(() => {
    let live = true;
    kindsOnce = kindsOnce || api.connectionKinds().then((r) => r.kinds);
    kindsOnce.then(
      (k) => live && setKinds(k),
      () => {
        kindsOnce = null;
      },
    );
    return () => {
      live = false;
    };
  }, []);
  return kinds;
}

function useVaultNames(wanted) {
  const [names, setNames] = useState([]);
  useEffect(() => {
    if (!wanted) return;
    let live = true;
    api.vault().then(
      (r) => live && setNames(r.keys || []),
      () => live && setNames([]),
    );
    return () => {
      live = false;
    };
  }, [wanted]);
  return names;
}

/** The form in front of a database or MQTT node's own settings. */
export function ConnectionForm({ node, config, set, configNodes }) {
  const kinds = useKinds().filter((k) => k.node_types.includes(node.data.type));
  const kindNames = kinds.map((k) => k.kind);
  const [list, setList] = useState(null);
  const [error, setError] = useState('');
  const [adding, setAdding] = useState(false);
  const [result, setResult] = useState(null);
  const reload = useCallback(
    () =>
      api.connections().then(
        (r) => {
          setList(r.connections || []);
          setError('');
        },
        (e) => setError(e.message),
      ),
    [],
  );
  useEffect(() => {
    reload();
  }, [reload]);
  const value = config.connection;
  const picked = typeof value === 'string' ? value : value == null ? '' : OBJECT;
  useEffect(() => setResult(null), [picked]);
  const mine = (list || []).filter((c) => kindNames.includes(c.kind));
  const shared = configNodes.filter((c) =>
    (CONFIG_NODE_TYPES[node.data.type === 'database' ? 'database' : 'mqtt'] || []).includes(c.type),
  );
  const isConfigNode = shared.some((c) => c.id === picked);
  const test = async () => {
    setResult({ pending: true });
    try {
      const r = await api.testConnection(picked);
      setResult({ ok: r.ok, message: r.message + (r.ok && r.ms !== undefined ? ' (' + r.ms + ' ms)' : '') });
    } catch (e) {
      setResult({ ok: false, message: e.message });
    }
  };
  return (
    <div className="connection-form" data-testid="connection-form">
      <div className="field">
        <span className="label">connection</span>
        <div className="row">
          <select
            value={picked}
            data-testid="connection-picker"
            onChange={(e) => {
              if (e.target.value === NEW) setAdding(true);
              else if (e.target.value !== OBJECT) set({ connection: e.target.value || undefined });
            }}
          >
            <option value="">the node’s own settings (below)</option>
            {picked === OBJECT && <option value={OBJECT}>settings in the node’s config</option>}
            {shared.map((c) => (
              <option key={'config/' + c.id} value={c.id}>
                {(c.name || c.id) + ' — ' + c.type + ' (a config node of this flow)'}
              </option>
            ))}
            {picked && picked !== OBJECT && !isConfigNode && !mine.some((c) => c.id === picked) && (
              <option value={picked}>{picked} (not among your connections)</option>
            )}
            {mine.map((c) => (
              <option key={c.id} value={c.id}>
                {(c.name || c.id) + ' — ' + c.kind + ' ' + (c.host || '') + (c.port ? ':' + c.port : '')}
              </option>
            ))}
            <option value={NEW}>new connection…</option>
          </select>
          <button
            type="button"
            data-testid="connection-test"
            disabled={!picked || picked === OBJECT || isConfigNode || (result && result.pending)}
            title={
              isConfigNode
                ? 'A config node of the flow: deploy to try it'
                : picked && picked !== OBJECT
                  ? 'Open a client and ask the server something trivial'
                  : 'Pick a stored connection'
            }
            onClick={test}
          >
            Test connection
          </button>
        </div>
        {result && !result.pending && (
          <div className={result.ok ? 'ok' : 'error'} data-testid="connection-test-result" data-ok={String(result.ok)}>
            {(result.ok ? '✔ ' : '✖ ') + result.message}
          </div>
        )}
        {result && result.pending && <small className="hint">testing…</small>}
        {error && <div className="error">{error}</div>}
        <small className="hint">
          A stored connection (one client shared by every node that names it); else the fields below.
        </small>
      </div>
      {adding && (
        <NewConnection
          kinds={kinds}
          onCancel={() => setAdding(false)}
          onSaved={(c) => {
            setAdding(false);
            set({ connection: c.id });
            reload();
          }}
        />
      )}
    </div>
  );
}

/** The small form of a new connection: kind, host, port, database or client id, TLS, user, password. */
function NewConnection({ kinds, onCancel, onSaved }) {
  const [c, setC] = useState(() => ({
    kind: kinds[0] ? kinds[0].kind : 'postgres',
    name: '',
    host: '127.0.0.1',
    port: kinds[0] && kinds[0].default_port ? String(kinds[0].default_port) : '',
    database: '',
    tls: false,
    user: '',
    password: '',
  }));
  const [error, setError] = useState('');
  const vault = useVaultNames(true);
  const kind = kinds.find((k) => k.kind === c.kind);
  const change = (patch) => setC((old) => ({ ...old, ...patch }));
  const save = async () => {
    const body = { kind: c.kind, host: c.host, database: c.database, tls: c.tls };
    if (c.name) body.name = c.name;
    if (c.port) body.port = Number(c.port);
    if (c.user) body.user = c.user;
    if (c.password) body.password = 'vault:' + c.password;
    try {
      onSaved(await api.createConnection(body));
    } catch (e) {
      setError(e.message);
    }
  };
  const text = (field, label, testId, extra = {}) => (
    <label className="field">
      <span className="label">{label}</span>
      <input value={c[field]} data-testid={testId} onChange={(e) => change({ [field]: e.target.value })} {...extra} />
    </label>
  );
  return (
    <div className="new-connection" data-testid="new-connection">
      <label className="field">
        <span className="label">kind</span>
        <select
          value={c.kind}
          data-testid="new-connection-kind"
          onChange={(e) => {
            const k = kinds.find((x) => x.kind === e.target.value);
            change({ kind: e.target.value, port: k && k.default_port ? String(k.default_port) : '' });
          }}
        >
          {kinds.map((k) => (
            <option key={k.kind} value={k.kind}>
              {k.label || k.kind}
            </option>
          ))}
        </select>
      </label>
      {text('name', 'name', 'new-connection-name', { placeholder: 'optional' })}
      {text('host', 'host', 'new-connection-host')}
      {text('port', 'port', 'new-connection-port', { inputMode: 'numeric' })}
      {text(
        'database',
        c.kind === 'mqtt' ? 'client id' : c.kind === 'sqlite' ? 'file' : 'database',
        'new-connection-database',
        {
          placeholder: c.kind === 'mqtt' ? 'empty: a random one' : '',
        },
      )}
      <label className="field inline">
        <input
          type="checkbox"
          checked={c.tls}
          data-testid="new-connection-tls"
          onChange={(e) => change({ tls: e.target.checked })}
        />
        <span>TLS</span>
      </label>
      {text('user', 'user', 'new-connection-user')}
      <label className="field">
        <span className="label">password (a vault entry)</span>
        <select
          value={c.password}
          data-testid="new-connection-password"
          onChange={(e) => change({ password: e.target.value })}
        >
          <option value="">no password</option>
          {vault.map((k) => (
            <option key={k} value={k}>
              vault:{k}
            </option>
          ))}
        </select>
      </label>
      {kind && kind.options && kind.options.length > 0 && (
        <small className="hint">
          More options ({kind.options.join(', ')}): PUT /api/v1/connections/{'{id}'}.
        </small>
      )}
      {error && (
        <div className="error" data-testid="new-connection-error">
          {error}
        </div>
      )}
      <div className="row">
        <button type="button" data-testid="new-connection-save" onClick={save}>
          Save connection
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
