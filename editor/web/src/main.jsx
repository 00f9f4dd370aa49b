import { createRoot } from 'react-dom/client';
import { useEffect, useState, useCallback } from 'react';
import { api, token, setToken } from './api.js';
import { FlowEditor } from './editor.jsx';
import * as protocol from './protocol.js';
import { exposeForTests } from './testing/hooks.js';

// the protocol codec, for the tests that hold it against the server's (Java) codec
exposeForTests('Protocol', protocol);

function useHash() {
  const [hash, setHash] = useState(location.hash || '#/flows');
  useEffect(() => {
    const on = () => setHash(location.hash || '#/flows');
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return hash;
}

function App() {
  const [signedIn, setSignedIn] = useState(!!token());
  const hash = useHash();
  useEffect(() => {
    const out = () => setSignedIn(false);
    window.addEventListener('z8-signed-out', out);
    return () => window.removeEventListener('z8-signed-out', out);
  }, []);
  if (!signedIn) return <SignIn onSignedIn={() => setSignedIn(true)} />;
  const signOut = () => {
    setToken(null);
    setSignedIn(false);
  };
  if (hash.startsWith('#/flow/')) {
    return <FlowEditor key={hash} flowId={decodeURIComponent(hash.slice('#/flow/'.length))} />;
  }
  return (
    <div className="page">
      <header className="topbar">
        <span className="brand">z8run</span>
        <a href="#/flows" className={hash === '#/flows' ? 'active' : ''} data-testid="nav-flows">
          Flows
        </a>
        <a href="#/vault" className={hash === '#/vault' ? 'active' : ''} data-testid="nav-vault">
          Vault
        </a>
        <span className="spacer" />
        <button onClick={signOut} data-testid="sign-out">
          Sign out
        </button>
      </header>
      {hash === '#/vault' ? <VaultPage /> : <FlowList />}
    </div>
  );
}

function SignIn({ onSignedIn }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const go = async (register) => {
    setError('');
    try {
      const answer = register ? await api.register(username, password) : await api.login(username, password);
      setToken(answer.token);
      onSignedIn();
    } catch (e) {
      setError(e.message);
    }
  };
  return (
    <form
      className="signin"
      onSubmit={(e) => {
        e.preventDefault();
        go(false);
      }}
    >
      <h1>z8run</h1>
      <label>
        User name
        <input data-testid="username" value={username} onChange={(e) => setUsername(e.target.value)} autoFocus />
      </label>
      <label>
        Password
        <input data-testid="password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} />
      </label>
      {error && (
        <div className="error" data-testid="signin-error">
          {error}
        </div>
      )}
      <div className="row">
        <button type="submit" data-testid="sign-in">
          Sign in
        </button>
        <button type="button" data-testid="register" onClick={() => go(true)}>
          Create the first user
        </button>
      </div>
      <p className="hint">On a new server, the first user creates an account; later ones sign in.</p>
    </form>
  );
}

function download(name, text) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

function FlowList() {
  const [flows, setFlows] = useState(null);
  const [error, setError] = useState('');
  const [renaming, setRenaming] = useState(null);
  const [confirming, setConfirming] = useState(null);
  const [importing, setImporting] = useState(false);
  const [exported, setExported] = useState(null);
  const reload = useCallback(() => {
    api
      .flows()
      .then((r) => setFlows(r.flows))
      .catch((e) => setError(e.message));
  }, []);
  useEffect(reload, [reload]);
  const act =
    (f) =>
    async (...args) => {
      setError('');
      try {
        await f(...args);
      } catch (e) {
        setError(e.message);
      }
      reload();
    };
  const create = act(async () => {
    // the server makes the id (only an admin's chosen id is kept): open the one it answers
    const created = await api.createFlow({ name: 'New flow', description: '', nodes: [], wires: [] });
    location.hash = '#/flow/' + encodeURIComponent(created.id);
  });
  const rename = act(async (id, name) => {
    const flow = await api.flow(id);
    await api.saveFlow({ id, name, description: flow.description, nodes: flow.nodes, wires: flow.wires });
    setRenaming(null);
  });
  const duplicate = act(async (id) => {
    const flow = await api.flow(id);
    await api.createFlow({
      name: flow.name + ' (copy)',
      description: flow.description,
      nodes: flow.nodes,
      wires: flow.wires,
    });
  });
  const remove = act(async (id) => {
    await api.deleteFlow(id);
    localStorage.removeItem('z8.draft.' + id);
    setConfirming(null);
  });
  const exportFlow = act(async (id, name) => {
    const doc = await api.exportFlow(id);
    const text = JSON.stringify(doc, null, 2);
    setExported({ name, text });
    download((name || id).replace(/[^A-Za-z0-9_.-]+/g, '_') + '.z8run.json', text);
  });
  return (
    <main className="flows">
      <div className="row">
        <h2>Flows</h2>
        <span className="spacer" />
        <button data-testid="new-flow" onClick={create}>
          New flow
        </button>
        <button data-testid="import-open" onClick={() => setImporting(true)}>
          Import
        </button>
      </div>
      {error && (
        <div className="error" data-testid="flows-error">
          {error}
        </div>
      )}
      {flows === null ? (
        <p>Loading…</p>
      ) : flows.length === 0 ? (
        <p data-testid="no-flows">No flows yet.</p>
      ) : (
        <table className="list" data-testid="flow-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Status</th>
              <th>Nodes</th>
              <th>Wires</th>
              <th>Updated</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {flows.map((f) => (
              <tr key={f.id} data-flow-id={f.id} data-testid="flow-row">
                <td>
                  {renaming === f.id ? (
                    <input
                      data-testid="rename-input"
                      autoFocus
                      defaultValue={f.name}
                      onKeyDown={(e) => {
                        if (e.key === 'Enter') rename(f.id, e.target.value);
                        if (e.key === 'Escape') setRenaming(null);
                      }}
                    />
                  ) : (
                    <a href={'#/flow/' + encodeURIComponent(f.id)} data-testid="flow-name">
                      {f.name || f.id}
                    </a>
                  )}
                </td>
                <td>
                  <span className={'status ' + f.status}>{f.status}</span>
                </td>
                <td>{f.nodes}</td>
                <td>{f.edges}</td>
                <td>{f.updated_at}</td>
                <td className="actions">
                  <button data-testid="rename" onClick={() => setRenaming(f.id)}>
                    Rename
                  </button>
                  <button data-testid="duplicate" onClick={() => duplicate(f.id)}>
                    Duplicate
                  </button>
                  <button data-testid="export" onClick={() => exportFlow(f.id, f.name)}>
                    Export
                  </button>
                  {confirming === f.id ? (
                    <button className="danger" data-testid="delete-confirm" onClick={() => remove(f.id)}>
                      Really delete
                    </button>
                  ) : (
                    <button data-testid="delete" onClick={() => setConfirming(f.id)}>
                      Delete
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {importing && (
        <ImportDialog
          onClose={() => {
            setImporting(false);
            reload();
          }}
        />
      )}
      {exported && (
        <div className="dialog" data-testid="export-dialog">
          <h3>Export of {exported.name}</h3>
          <textarea readOnly value={exported.text} data-testid="export-text" rows={16} />
          <div className="row">
            <button onClick={() => setExported(null)} data-testid="export-close">
              Close
            </button>
          </div>
        </div>
      )}
    </main>
  );
}

function ImportDialog({ onClose }) {
  const [text, setText] = useState('');
  const [disable, setDisable] = useState(false);
  const [result, setResult] = useState(null);
  const [error, setError] = useState('');
  const submit = async () => {
    setError('');
    try {
      setResult(await api.importFlows(text, disable));
    } catch (e) {
      setError(
        [e.message]
          .concat(
            (e.problems || []).map(
              (p) => (p.node_id || '') + (p.type ? ' (' + p.type + ')' : '') + ': ' + (p.message || ''),
            ),
          )
          .join('\n'),
      );
    }
  };
  const file = async (e) => {
    const f = e.target.files[0];
    if (f) setText(await f.text());
  };
  const flows = result ? result.flows || [result] : [];
  return (
    <div className="dialog" data-testid="import-dialog">
      <h3>Import a z8run export, a flow document or a Node-RED flows.json</h3>
      <input type="file" accept=".json,application/json" onChange={file} />
      <textarea
        data-testid="import-text"
        rows={12}
        value={text}
        onChange={(e) => setText(e.target.value)}
        placeholder="or paste JSON here"
      />
      <label>
        <input
          type="checkbox"
          checked={disable}
          onChange={(e) => setDisable(e.target.checked)}
          data-testid="import-disable"
        />{' '}
        import Node-RED nodes without an equivalent as disabled
      </label>
      {error && (
        <pre className="error" data-testid="import-error">
          {error}
        </pre>
      )}
      {result && (
        <ul data-testid="import-result">
          {flows.map((f) => (
            <li key={f.id}>
              imported <a href={'#/flow/' + encodeURIComponent(f.id)}>{f.name || f.id}</a>
              {(f.problems || []).length > 0 && (
                <span className="warn">
                  {' '}
                  ({f.problems.length} problem(s): {f.problems.map((p) => p.message).join('; ')})
                </span>
              )}
              {(f.report || []).length > 0 && (
                <table className="list report" data-testid="import-report">
                  <thead>
                    <tr>
                      <th>Node-RED node</th>
                      <th>type</th>
                      <th>here</th>
                      <th>outcome</th>
                      <th>note</th>
                    </tr>
                  </thead>
                  <tbody>
                    {f.report.map((r) => (
                      <tr
                        key={r.node_id}
                        className={r.outcome}
                        data-testid="import-report-row"
                        data-outcome={r.outcome}
                      >
                        <td>{r.name || r.node_id}</td>
                        <td>{r.node_red_type}</td>
                        <td>{r.type}</td>
                        <td>{r.outcome}</td>
                        <td>{r.note}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </li>
          ))}
        </ul>
      )}
      <div className="row">
        <button data-testid="import-submit" onClick={submit} disabled={!text}>
          Import
        </button>
        <button data-testid="import-close" onClick={onClose}>
          Close
        </button>
      </div>
    </div>
  );
}

function VaultPage() {
  const [keys, setKeys] = useState(null);
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const [error, setError] = useState('');
  const reload = useCallback(() => {
    api
      .vault()
      .then((r) => setKeys(r.keys))
      .catch((e) => setError(e.message));
  }, []);
  useEffect(reload, [reload]);
  const add = async (e) => {
    e.preventDefault();
    setError('');
    try {
      await api.putSecret(key, value);
      setKey('');
      setValue('');
    } catch (err) {
      setError(err.message);
    }
    reload();
  };
  const remove = async (k) => {
    setError('');
    try {
      await api.deleteSecret(k);
    } catch (err) {
      setError(err.message);
    }
    reload();
  };
  return (
    <main className="vault">
      <h2>Vault</h2>
      <p className="hint">
        Values are stored encrypted and never shown again; nodes use them as <code>vault:name</code>.
      </p>
      <form className="row" onSubmit={add}>
        <input data-testid="vault-key" placeholder="name" value={key} onChange={(e) => setKey(e.target.value)} />
        <input
          data-testid="vault-value"
          placeholder="value"
          type="password"
          autoComplete="new-password"
          value={value}
          onChange={(e) => setValue(e.target.value)}
        />
        <button data-testid="vault-add" type="submit">
          Store
        </button>
      </form>
      {error && (
        <div className="error" data-testid="vault-error">
          {error}
        </div>
      )}
      {keys &&
        (keys.length === 0 ? (
          <p data-testid="vault-empty">No secrets yet.</p>
        ) : (
          <ul className="list" data-testid="vault-list">
            {keys.map((k) => (
              <li key={k} data-testid="vault-item" data-key={k}>
                <code>{k}</code>{' '}
                <button data-testid="vault-delete" onClick={() => remove(k)}>
                  Delete
                </button>
              </li>
            ))}
          </ul>
        ))}
    </main>
  );
}

createRoot(document.getElementById('root')).render(<App />);
