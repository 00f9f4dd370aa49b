// The workspace's tabs: the flows open in this browser, in the user's order, kept in localStorage.
// Each tab is a flow; switching tabs keeps unsaved edits as the flow's draft.

import { useState, useSyncExternalStore } from 'react';

const KEY = 'z8.tabs';
const listeners = new Set();
let cached = null;

function read() {
  if (cached) return cached;
  try {
    cached = JSON.parse(localStorage.getItem(KEY)) || [];
  } catch {
    cached = [];
  }
  return cached;
}

function write(tabs) {
  cached = tabs;
  localStorage.setItem(KEY, JSON.stringify(tabs));
  for (const l of listeners) l();
}

export function openTab(id, name) {
  const tabs = read();
  const at = tabs.findIndex((t) => t.id === id);
  if (at < 0) write(tabs.concat({ id, name }));
  else if (tabs[at].name !== name) write(tabs.map((t) => (t.id === id ? { id, name } : t)));
}

export function closeTab(id) {
  write(read().filter((t) => t.id !== id));
}

function moveTab(from, to) {
  const tabs = read().slice();
  const [t] = tabs.splice(from, 1);
  tabs.splice(to, 0, t);
  write(tabs);
}

function subscribe(l) {
  listeners.add(l);
  return () => listeners.delete(l);
}

export function TabBar({ current, names }) {
  const tabs = useSyncExternalStore(subscribe, read);
  const [dragging, setDragging] = useState(null);
  const go = (id) => {
    location.hash = '#/flow/' + encodeURIComponent(id);
  };
  const close = (e, id) => {
    e.stopPropagation();
    const at = tabs.findIndex((t) => t.id === id);
    closeTab(id);
    if (id === current) {
      const rest = tabs.filter((t) => t.id !== id);
      if (rest.length) go(rest[Math.min(at, rest.length - 1)].id);
      else location.hash = '#/flows';
    }
  };
  return (
    <nav className="tabs" data-testid="tabs">
      {tabs.map((t, i) => (
        <div
          key={t.id}
          className={'tab' + (t.id === current ? ' active' : '')}
          data-testid="tab"
          data-flow-id={t.id}
          draggable
          onDragStart={() => setDragging(i)}
          onDragOver={(e) => e.preventDefault()}
          onDrop={() => {
            if (dragging !== null && dragging !== i) moveTab(dragging, i);
            setDragging(null);
          }}
          onClick={() => t.id !== current && go(t.id)}
          title={t.name}
        >
          <span>{(t.id === current ? names : null) || t.name || t.id}</span>
          <button className="tab-close" data-testid="tab-close" title="close the tab" onClick={(e) => close(e, t.id)}>
            ×
          </button>
        </div>
      ))}
      <a className="tab add" href="#/flows" title="open another flow" data-testid="tab-open">
        +
      </a>
    </nav>
  );
}
