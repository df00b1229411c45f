// Code editors (CodeMirror 6): TypeScript handlers, JavaScript init
// scripts, JSON events, and a side-by-side diff of two versions.

import { EditorView, basicSetup } from "codemirror";
import { EditorState } from "@codemirror/state";
import { keymap } from "@codemirror/view";
import { indentWithTab } from "@codemirror/commands";
import { javascript } from "@codemirror/lang-javascript";
import { lintGutter, setDiagnostics } from "@codemirror/lint";
import { MergeView } from "@codemirror/merge";

function language(kind) {
  return kind === "ts" ? javascript({ typescript: true }) : javascript();
}

// An editor in `parent`. Tab indents; Escape then Tab leaves the editor,
// as CodeMirror documents for keyboard users.
export function codeEditor(parent, doc, { kind = "ts", label, onChange, readOnly = false } = {}) {
  const extensions = [
    basicSetup,
    keymap.of([indentWithTab]),
    language(kind),
    lintGutter(),
    EditorView.contentAttributes.of({ "aria-label": label || "Code" }),
    EditorState.readOnly.of(readOnly),
  ];
  if (onChange) {
    extensions.push(EditorView.updateListener.of((update) => update.docChanged && onChange(update.state.doc.toString())));
  }
  const view = new EditorView({ doc, extensions, parent });
  return {
    view,
    text: () => view.state.doc.toString(),
    setText(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    // Marks errors at their 1-based line and column; [] clears them.
    mark(findings) {
      const doc = view.state.doc;
      const diagnostics = findings.map(({ line, column, message }) => {
        const at = doc.line(Math.min(Math.max(line || 1, 1), doc.lines));
        const from = at.from + Math.min(Math.max((column || 1) - 1, 0), at.length);
        const to = Math.max(at.to, from);
        return { from, to: to === from ? Math.min(from + 1, doc.length) : to, severity: "error", message };
      });
      view.dispatch(setDiagnostics(view.state, diagnostics));
    },
  };
}

// Two versions side by side, changes highlighted.
export function diffView(parent, before, after) {
  const common = [basicSetup, language("ts"), EditorView.editable.of(false), EditorState.readOnly.of(true)];
  return new MergeView({ a: { doc: before, extensions: common }, b: { doc: after, extensions: common }, parent });
}
