/**
 * The browser editor: its sources live in {@code editor/web} (see {@code editor/README.md}); the
 * build bundles them into this jar, and {@link dev.z8run.editor.EditorAssets} finds the files.
 */
package dev.z8run.editor;
