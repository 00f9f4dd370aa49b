/* global Z8_TEST_HOOKS */
/**
 * What the end-to-end tests read from the page (the model, not pixels): `window.__z8<Name>`, set
 * only in the test build. `Z8_TEST_HOOKS` is a constant esbuild replaces (build.mjs): false in the
 * bundle the jar ships, where the minifier drops this body and build.mjs checks that no `__z8`
 * is left; true in the test build (target/test-web), which the api module's tests serve instead.
 */
export function exposeForTests(name, value) {
  if (Z8_TEST_HOOKS) window['__z8' + name] = value;
}
