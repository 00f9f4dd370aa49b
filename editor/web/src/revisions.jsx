import { useEffect, useState } from 'react';
import { api } from './api.js';

/**
 * The flow's history (beyond Node-RED): every saved revision, newest first; two of them compared on
 * the canvas (nodes and wires added, removed, changed: `diffRevisions`); a roll back to one, which
 * the server writes as a new revision.
 */
export function RevisionsPanel({ flowId, onShowDiff, onRolledBack, onClose }) {
  const [list, setList] = useState(null);
  const [from, setFrom] = useState(null);
  const [to, setTo] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let cancelled = false;
    api
      .revisions(flowId)
      .then((r) => {
        if (cancelled) return;
        const revisions = [...r.revisions].sort((a, b) => b.revision - a.revision);
        setList(revisions);
        setTo(revisions.length ? revisions[0].revision : null);
        setFrom(revisions.length > 1 ? revisions[1].revision : null);
      })
      .catch((e) => !cancelled && setError(e.message));
    return () => {
      cancelled = true;
    };
  }, [flowId]);

  const showDiff = async () => {
    setBusy(true);
    try {
      const [a, b] = await Promise.all([api.revision(flowId, from), api.revision(flowId, to)]);
      onShowDiff({ from, to, fromDoc: a, toDoc: b });
    } catch (e) {
      setError(e.message);
    } finally {
      setBusy(false);
    }
  };

  const rollBack = async (n) => {
    setBusy(true);
    try {
      await api.rollback(flowId, n);
      onRolledBack(n);
    } catch (e) {
      setError(e.message);
      setBusy(false);
    }
  };

  return (
    <aside className="revisions" data-testid="revisions">
      <header>
        <h3>History</h3>
        <button onClick={onClose} data-testid="revisions-close" title="close">
          ×
        </button>
      </header>
      {error && <p className="error">{error}</p>}
      {!list && !error && <p>Loading…</p>}
      {list && (
        <>
          <div className="compare">
            <label>
              from{' '}
              <select value={from ?? ''} onChange={(e) => setFrom(Number(e.target.value))} data-testid="diff-from">
                {list.map((r) => (
                  <option key={r.revision} value={r.revision}>
                    #{r.revision}
                  </option>
                ))}
              </select>
            </label>{' '}
            <label>
              to{' '}
              <select value={to ?? ''} onChange={(e) => setTo(Number(e.target.value))} data-testid="diff-to">
                {list.map((r) => (
                  <option key={r.revision} value={r.revision}>
                    #{r.revision}
                  </option>
                ))}
              </select>
            </label>{' '}
            <button disabled={busy || from == null || to == null} onClick={showDiff} data-testid="diff-show">
              Show changes
            </button>
          </div>
          <ol className="revision-list">
            {list.map((r, i) => (
              <li key={r.revision} data-testid="revision-row" data-revision={r.revision}>
                <span className="rev">#{r.revision}</span>
                <span className="when">{new Date(r.created_at).toLocaleString()}</span>
                <span className="count">{r.nodes} nodes</span>
                {i > 0 && (
                  <button
                    disabled={busy}
                    onClick={() => rollBack(r.revision)}
                    data-testid="revision-rollback"
                    title="make this revision the flow again (saved as a new revision)"
                  >
                    Roll back
                  </button>
                )}
              </li>
            ))}
          </ol>
        </>
      )}
    </aside>
  );
}

const settingsOf = (n) => JSON.stringify([n.type, n.name || '', !!n.disabled, n.config || {}]);
const wireKey = (w) => w.from + ':' + (w.fromPort || 0) + '>' + w.to + ':' + (w.toPort || 0);

/**
 * What changed between two flow documents: node ids added, removed and changed (type, name,
 * disabled or settings; a move alone is `moved`), wire keys added and removed.
 */
export function diffRevisions(fromDoc, toDoc) {
  const before = new Map((fromDoc.nodes || []).map((n) => [n.id, n]));
  const after = new Map((toDoc.nodes || []).map((n) => [n.id, n]));
  const nodes = new Map();
  for (const [id, n] of after) {
    const old = before.get(id);
    if (!old) nodes.set(id, 'added');
    else if (settingsOf(old) !== settingsOf(n)) nodes.set(id, 'changed');
    else if ((old.x || 0) !== (n.x || 0) || (old.y || 0) !== (n.y || 0)) nodes.set(id, 'moved');
  }
  for (const id of before.keys()) if (!after.has(id)) nodes.set(id, 'removed');
  const wiresBefore = new Set((fromDoc.wires || []).map(wireKey));
  const wiresAfter = new Set((toDoc.wires || []).map(wireKey));
  const wires = new Map();
  for (const k of wiresAfter) if (!wiresBefore.has(k)) wires.set(k, 'added');
  for (const k of wiresBefore) if (!wiresAfter.has(k)) wires.set(k, 'removed');
  return { nodes, wires };
}

/**
 * The canvas of a diff: the newer revision's nodes and wires plus the older one's removed ones,
 * each marked with a class (`diff-added`, `diff-removed`, `diff-changed`, `diff-moved`); read-only.
 */
export function diffCanvas(fromDoc, toDoc, toCanvas) {
  const { nodes: nodeMarks, wires: wireMarks } = diffRevisions(fromDoc, toDoc);
  const removedDoc = {
    nodes: (fromDoc.nodes || []).filter((n) => nodeMarks.get(n.id) === 'removed'),
    wires: (fromDoc.wires || []).filter((w) => wireMarks.get(wireKey(w)) === 'removed'),
  };
  const now = toCanvas(toDoc);
  const gone = toCanvas(removedDoc);
  const mark = (kind) => (kind ? 'diff-' + kind : undefined);
  const fixed = { draggable: false, connectable: false, selectable: false, deletable: false };
  const nodes = now.nodes
    .map((n) => ({ ...n, ...fixed, className: mark(nodeMarks.get(n.id)) }))
    .concat(gone.nodes.map((n) => ({ ...n, ...fixed, id: n.id, className: 'diff-removed' })));
  const key = (e) => e.source + ':' + e.sourceHandle.slice(4) + '>' + e.target + ':' + e.targetHandle.slice(3);
  const edges = now.edges
    .map((e) => ({ ...e, ...fixed, className: mark(wireMarks.get(key(e))) }))
    .concat(gone.edges.map((e) => ({ ...e, ...fixed, id: 'removed:' + e.id, className: 'diff-removed' })));
  const counts = { added: 0, removed: 0, changed: 0, moved: 0 };
  for (const kind of nodeMarks.values()) counts[kind]++;
  return {
    nodes,
    edges,
    counts,
    wires: { added: [...wireMarks.values()].filter((k) => k === 'added').length, removed: gone.edges.length },
  };
}
