// The layers of src/, enforced (docs/decisions/2026-11-29-layers.md). Each folder lists what it
// may import; a layer only imports the layers below it, not even types from above.

const everything = ['errors', 'time', 'policy', 'store', 'testing', 'workflow', 'engine', 'observe', 'cli', 'agent-process', 'agent', 'gates', 'llm'];
// The web dashboard (src/dashboard/): reads and acts through the engine; only the CLI imports it.
everything.push('dashboard');

/** [files, folders it may import] */
const LAYERS = [
  { files: ['src/errors/**'], allow: [] },
  { files: ['src/time/**'], allow: ['errors'] },
  { files: ['src/policy/**'], allow: ['errors', 'time'] },
  { files: ['src/store/**'], allow: ['errors', 'time'] },
  { files: ['src/testing/**'], allow: ['errors', 'time', 'store'] },
  { files: ['src/workflow/**'], allow: ['errors', 'time', 'policy', 'store'] },
  // observe/ (logs and spans of runs) sits below the engine, which drives it; it never drives the engine.
  { files: ['src/engine/**'], allow: ['errors', 'time', 'policy', 'store', 'workflow', 'observe'] },
  // Agent processes run inside a step: they see what a step body sees (StepInfo, the context's
  // types), never the engine that runs it, nor a store (their events go through StepInfo.emit).
  { files: ['src/agent-process/**'], allow: ['errors', 'time', 'policy', 'workflow'] },
  { files: ['src/observe/**'], allow: ['errors', 'time', 'store'] },
  { files: ['src/cli/**'], allow: ['errors', 'time', 'policy', 'store', 'workflow', 'engine', 'observe', 'dashboard'] },
  // The web dashboard reads through a Lifeline client and acts through its API, like the CLI; it never imports the CLI.
  { files: ['src/dashboard/**'], allow: ['errors', 'time', 'policy', 'store', 'workflow', 'engine', 'observe'] },
  // The agent toolkit runs on a WorkflowContext it is handed: workflow/ and store/ for their types only.
  { files: ['src/agent/**'], allow: ['errors', 'time', 'policy', 'options'], typesOnly: ['workflow', 'store'] },
  // Quality gates run on a WorkflowContext like the agent toolkit: workflow/ and store/ for their types only.
  { files: ['src/gates/**'], allow: ['errors', 'time', 'policy', 'options'], typesOnly: ['workflow', 'store'] },
  // LLM steps run on a WorkflowContext (ctx.fallback) and a step's info (costs, usage), like the agent toolkit.
  // observe/: the attempt context its GenAI spans hang under (llm-trace.ts).
  { files: ['src/llm/**'], allow: ['errors', 'time', 'policy', 'options', 'observe'], typesOnly: ['workflow', 'store'] },
];

function folderPatterns(folders, message) {
  return folders.map((folder) => ({ group: [`../${folder}/**`, `../../${folder}/**`, `../../../${folder}/**`], message }));
}

/** Driver packages stay inside their backend, so SQLite-only users never load `pg`; vitest (an
 * optional peer) stays inside the conformance kit, so only `lifeline-workflows/testing/conformance` loads it. */
const DRIVERS = [
  { name: 'pg', home: 'src/store/postgres/**' },
  { name: 'better-sqlite3', home: 'src/store/sqlite/**' },
  { name: 'vitest', home: 'src/testing/**' },
  // Optional peers, for types only: the user passes their client or generateText.
  { name: 'openai', home: 'src/llm/openai-chat.ts' },
  { name: 'ai', home: 'src/llm/ai-sdk.ts' },
];

function rulesFor(layer, extraFiles = [], ignores = []) {
  const own = layer.files[0].split('/')[1];
  const typesOnly = layer.typesOnly ?? [];
  const forbidden = everything.filter((f) => f !== own && !layer.allow.includes(f) && !typesOnly.includes(f));
  const patterns = [
    ...folderPatterns(forbidden, `${own}/ must not import this layer (docs/decisions/2026-11-29-layers.md).`),
    ...folderPatterns(typesOnly, `${own}/ imports only types from this layer (docs/decisions/2026-11-29-layers.md).`).map((p) => ({
      ...p,
      allowTypeImports: true,
    })),
    ...extraFiles,
  ];
  return { files: layer.files, ignores, rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] } };
}

const driverPatterns = (except) =>
  DRIVERS.filter((d) => d.name !== except).map((d) => ({
    group: [d.name, `${d.name}/*`],
    message: `${d.name} is imported only under ${d.home.replace('/**', '/')} (docs/decisions/2026-11-29-layers.md).`,
  }));

const storeLayer = LAYERS.find((l) => l.files[0] === 'src/store/**');
const llmLayer = LAYERS.find((l) => l.files[0] === 'src/llm/**');

export const layerRules = [
  ...LAYERS.filter((l) => l !== storeLayer).map((l) => rulesFor(l, driverPatterns(l.files[0] === 'src/testing/**' ? 'vitest' : undefined))),
  // Each SDK adapter imports (types of) its own SDK, and no other driver.
  ...DRIVERS.filter((d) => d.home.startsWith('src/llm/')).map((d) => rulesFor({ ...llmLayer, files: [d.home] }, driverPatterns(d.name))),
  // The root entry is for authoring and the client: it never reaches the kit or vitest.
  {
    files: ['src/index.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            ...driverPatterns(),
            {
              group: ['./testing/**', './exports/testing.js', './exports/testing-conformance.js'],
              message:
                'The root export does not load the testing kit; it is published as lifeline-workflows/testing and lifeline-workflows/testing/conformance.',
            },
          ],
        },
      ],
    },
  },
  // store/ itself: the contract and shared modules; each backend only beside it, never the other.
  rulesFor(storeLayer, driverPatterns(), ['src/store/sqlite/**', 'src/store/postgres/**']),
  rulesFor({ ...storeLayer, files: ['src/store/sqlite/**'] }, [
    ...driverPatterns('better-sqlite3'),
    { group: ['../postgres/**'], message: 'The SQLite store does not import from postgres/: shared code lives in src/store/.' },
  ]),
  rulesFor({ ...storeLayer, files: ['src/store/postgres/**'] }, [
    ...driverPatterns('pg'),
    { group: ['../sqlite/**'], message: 'The PostgreSQL store does not import from sqlite/: shared code lives in src/store/.' },
  ]),
];
