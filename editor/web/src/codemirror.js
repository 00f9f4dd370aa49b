// CodeMirror 6 for function and template bodies, in its own chunk: loaded the first time a code
// field is shown, so that the editor's main bundle does not carry it. Highlighting, line numbers,
// no wrapping (line numbers match the server's error lines), and the names a function body has
// (msg, node, context, flow, global, env, RED) offered as completions.

import { basicSetup, EditorView } from 'codemirror';
import { javascript, javascriptLanguage } from '@codemirror/lang-javascript';
import { completeFromList } from '@codemirror/autocomplete';
import { keymap } from '@codemirror/view';
import { indentWithTab } from '@codemirror/commands';

const NAMES = [
  { label: 'msg', type: 'variable', info: 'the message' },
  { label: 'msg.payload', type: 'property' },
  { label: 'msg.topic', type: 'property' },
  { label: 'node', type: 'variable', info: 'this node: send, warn, error, status, log, done' },
  { label: 'node.send', type: 'function' },
  { label: 'node.warn', type: 'function' },
  { label: 'node.error', type: 'function' },
  { label: 'node.status', type: 'function' },
  { label: 'node.log', type: 'function' },
  { label: 'context', type: 'variable', info: "the node's context: get, set" },
  { label: 'context.get', type: 'function' },
  { label: 'context.set', type: 'function' },
  { label: 'flow', type: 'variable', info: "the flow's context: get, set" },
  { label: 'flow.get', type: 'function' },
  { label: 'flow.set', type: 'function' },
  { label: 'global', type: 'variable', info: 'the global context: get, set' },
  { label: 'global.get', type: 'function' },
  { label: 'global.set', type: 'function' },
  { label: 'env.get', type: 'function' },
  { label: 'RED.util', type: 'variable' },
];

export function mount(parent, value, onChange) {
  let applying = false; // a value set from outside (undo, redo) is no edit of the user's
  const view = new EditorView({
    doc: value,
    parent,
    extensions: [
      basicSetup,
      keymap.of([indentWithTab]),
      javascript(),
      javascriptLanguage.data.of({ autocomplete: completeFromList(NAMES) }),
      EditorView.updateListener.of((u) => {
        if (u.docChanged && !applying) onChange(u.state.doc.toString());
      }),
    ],
  });
  return {
    view,
    set(text) {
      if (text === view.state.doc.toString()) return;
      applying = true;
      try {
        view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
      } finally {
        applying = false;
      }
    },
    destroy: () => view.destroy(),
  };
}
