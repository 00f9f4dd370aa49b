// Bundles the editor twice with esbuild (run by Maven through `npm run build`):
//  - ../target/classes/web: what the jar serves, with Z8_TEST_HOOKS false (no test hooks; checked below);
//  - ../target/test-web/web: the test build, with Z8_TEST_HOOKS true (window.__z8Editor, __z8Engine,
//    __z8Protocol, __z8LoadedAt: src/testing/hooks.js), which the api module's tests serve instead.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';

async function bundle(outdir, testHooks) {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  await esbuild.build({
    entryPoints: ['src/main.jsx'],
    bundle: true,
    minify: true,
    sourcemap: true,
    format: 'esm',
    splitting: true,
    target: 'es2022',
    jsx: 'automatic',
    loader: { '.js': 'jsx' },
    logLevel: 'warning',
    outdir,
    entryNames: 'app',
    chunkNames: 'chunk-[hash]',
    define: { Z8_TEST_HOOKS: String(testHooks) },
  });
  copyFileSync('src/index.html', outdir + '/index.html');
  copyFileSync('src/app.css', outdir + '/app.css');
  copyFileSync('node_modules/@xyflow/react/dist/style.css', outdir + '/xyflow.css');
}

await bundle('../target/classes/web', false);
for (const file of readdirSync('../target/classes/web')) {
  if (file.endsWith('.js') && readFileSync('../target/classes/web/' + file, 'utf8').includes('__z8')) {
    throw new Error('the production bundle ' + file + ' holds a test hook (__z8)');
  }
}
await bundle('../target/test-web/web', true);
