import { useEffect, useRef } from 'react';

/**
 * The canvas's right-click menu, as in Node-RED: on a node (or the selection) cut, copy, delete,
 * group, export; on the empty canvas paste, add a node there, select all. `items` are
 * `{ id, label, keys, disabled, run }`; a click runs one and closes the menu, as do Escape and a
 * click elsewhere.
 */
export function ContextMenu({ at, items, onClose }) {
  const menu = useRef(null);
  useEffect(() => {
    const away = (e) => {
      if (menu.current && !menu.current.contains(e.target)) onClose();
    };
    const key = (e) => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('pointerdown', away, true);
    window.addEventListener('keydown', key);
    return () => {
      window.removeEventListener('pointerdown', away, true);
      window.removeEventListener('keydown', key);
    };
  }, [onClose]);
  return (
    <ul className="context-menu" data-testid="context-menu" ref={menu} style={{ left: at.x, top: at.y }} role="menu">
      {items.map((item) => (
        <li key={item.id} role="menuitem">
          <button
            data-testid={'menu-' + item.id}
            disabled={item.disabled}
            onClick={() => {
              onClose();
              item.run();
            }}
          >
            <span>{item.label}</span>
            {item.keys && <kbd>{item.keys}</kbd>}
          </button>
        </li>
      ))}
    </ul>
  );
}

/** The menu's entries for what was right-clicked: a node or selection (`onSelection`) or the canvas. */
export function contextItems({ onSelection, hasClipboard, actions }) {
  if (onSelection) {
    return [
      { id: 'cut', label: 'Cut', keys: 'Ctrl-X', run: actions.cut },
      { id: 'copy', label: 'Copy', keys: 'Ctrl-C', run: actions.copy },
      { id: 'delete', label: 'Delete', keys: 'Del', run: actions.remove },
      { id: 'group', label: 'Group selection', keys: 'Ctrl-G', run: actions.group },
      { id: 'export', label: 'Export selection (Node-RED)', run: actions.exportNodeRed },
    ];
  }
  return [
    { id: 'paste', label: 'Paste', keys: 'Ctrl-V', disabled: !hasClipboard, run: actions.paste },
    { id: 'add', label: 'Add a node here…', keys: '/', run: actions.add },
    { id: 'select-all', label: 'Select all', keys: 'Ctrl-A', run: actions.selectAll },
    { id: 'fit', label: 'Fit the view', keys: 'F', run: actions.fit },
  ];
}
