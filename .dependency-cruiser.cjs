/**
 * Layer and package boundaries, checked by `npm run layers` (and by `npm test`):
 *
 *   npx depcruise packages --config .dependency-cruiser.cjs
 *
 * It cruises the TypeScript sources (not dist/): NodeNext `./x.js` specifiers resolve to `./x.ts`, and
 * the workspace packages (`@hotline/server`, `@hotline/server/client`, ...) resolve to their sources
 * through the `paths` of tsconfig.layers.json, so the check needs no build and sees type-only imports.
 *
 * Inside packages/server/src every folder belongs to a layer; a module may import its own layer or
 * lower ones, never a higher one (see DESIGN.md and ARCHITECTURE.md). Bottom to top:
 */
const LAYERS = [
  // Shared by everyone: domain errors, the pino logger, ajv error formatting, digests and passwords.
  { name: 'shared', members: ['errors.ts', 'logger.ts', 'net.ts', 'validation.ts', 'crypto/'] },
  { name: 'foundation', members: ['config/', 'db/', 'events/'] },
  { name: 'transport', members: ['sip/', 'media/'] },
  { name: 'calls', members: ['calls/'] },
  { name: 'routing', members: ['acd/', 'flows/', 'routing/'] },
  {
    name: 'domain',
    members: ['crm/', 'kb/', 'tickets/', 'workflow/', 'channels/', 'reports/', 'security/'],
  },
  { name: 'center', members: ['center/'] },
  { name: 'api', members: ['api/'] },
  // The composition root and the package entry points. Only these may use the API client.
  { name: 'composition', members: ['main.ts', 'index.ts', 'testing.ts', 'client/'] },
];

const SRC = '^packages/server/src/';
const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A regex matching the modules of the given layer members, e.g. `^packages/server/src/(config/|errors\.ts$)`. */
const pathOf = (members) => `${SRC}(${members.map((m) => (m.endsWith('/') ? esc(m) : `${esc(m)}$`)).join('|')})`;
const ALL_LAYERED = pathOf(LAYERS.flatMap((l) => l.members));

const layerRules = LAYERS.slice(0, -1).map((layer, i) => {
  const higher = LAYERS.slice(i + 1);
  return {
    name: `layer-${layer.name}`,
    severity: 'error',
    comment:
      `packages/server/src: the ${layer.name} layer (${layer.members.join(' ')}) may not import a higher layer ` +
      `(${higher.map((l) => l.name).join(', ')}). Move the shared piece down, or depend on a small interface (port) ` +
      `owned by the lower layer.`,
    from: { path: pathOf(layer.members) },
    to: { path: pathOf(higher.flatMap((l) => l.members)) },
  };
});

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'server-module-outside-layers',
      severity: 'error',
      comment:
        'Every module of packages/server/src belongs to a layer. Add the new folder or file to LAYERS in .dependency-cruiser.cjs.',
      from: { path: SRC, pathNot: `${ALL_LAYERED}|${SRC}client/` },
      to: {},
    },
    {
      name: 'server-import-outside-layers',
      severity: 'error',
      comment:
        'Every module of packages/server/src belongs to a layer. Add the new folder or file to LAYERS in .dependency-cruiser.cjs.',
      from: { path: SRC },
      to: { path: SRC, pathNot: `${ALL_LAYERED}|${SRC}client/` },
    },
    {
      name: 'client-imports-only-errors',
      severity: 'error',
      comment:
        'The API client (packages/server/src/client, exported as @hotline/server/client) runs in the CLI and the TUI: ' +
        'it may import errors.ts and npm packages, and other server modules only with `import type`.',
      from: { path: `${SRC}client/` },
      to: {
        path: SRC,
        pathNot: `${SRC}(client/|errors\\.ts$)`,
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'tui-uses-server-client-only',
      severity: 'error',
      comment: 'The TUI talks to the server only through the API: import `@hotline/server/client`, nothing else of the server.',
      from: { path: '^packages/tui/' },
      to: { path: '^packages/server/', pathNot: `${SRC}client/` },
    },
    {
      name: 'tui-not-to-cli',
      severity: 'error',
      comment: 'The CLI renders the TUI, not the other way round.',
      from: { path: '^packages/tui/' },
      to: { path: '^packages/cli/' },
    },
    {
      name: 'cli-uses-server-entry-points',
      severity: 'error',
      comment:
        'The CLI may import `@hotline/server` (server start), `@hotline/server/client` and, in tests, ' +
        '`@hotline/server/testing`; never server internals.',
      from: { path: '^packages/cli/' },
      to: { path: '^packages/server/', pathNot: `${SRC}(index\\.ts$|testing\\.ts$|client/)` },
    },
    {
      name: 'cli-testing-only-in-tests',
      severity: 'error',
      comment: '`@hotline/server/testing` is for tests (packages/cli/test), not for the shipped CLI.',
      from: { path: '^packages/cli/src/' },
      to: { path: `${SRC}testing\\.ts$` },
    },
    {
      name: 'server-not-to-cli-or-tui',
      severity: 'error',
      comment: 'The server is the bottom package: it imports neither the CLI nor the TUI.',
      from: { path: '^packages/server/' },
      to: { path: '^packages/(cli|tui)/' },
    },
    {
      name: 'packages-by-name',
      severity: 'error',
      comment:
        'Import another workspace package by its name and exports (`@hotline/server/client`), never by a relative ' +
        'path into its folder: relative paths bypass the package boundary and break once published.',
      from: { path: '^packages/([^/]+)/' },
      to: { path: '^packages/', pathNot: '^packages/$1/', dependencyTypesNot: ['aliased'] },
    },
    {
      name: 'tests-not-from-src',
      severity: 'error',
      comment: 'Shipped code never imports test code.',
      from: { path: '^packages/[^/]+/src/' },
      to: { path: '^packages/[^/]+/test/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Circular dependencies make layering meaningless and start-up order fragile. Break the cycle.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'This import does not resolve to a file or an installed package.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Sources only: build output, declarations and installed packages are not cruised.
    exclude: { path: ['(^|/)dist/', '(^|/)node_modules/', '\\.d\\.ts$'] },
    doNotFollow: { path: ['(^|/)node_modules/'] },
    moduleSystems: ['es6', 'cjs'],
    // Keep `import type` dependencies in the graph (as dependency type `type-only`): layering applies to them.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.layers.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
