/** Placeholder until this module's issue lands; see DESIGN.md "Modules". */
package dev.z8run.editor;
