/**
 * The V8 flags the server's process runs with: deploy/omsorg-server.service and deploy/Containerfile
 * put them on node's command line (node refuses them in NODE_OPTIONS), and bench sync starts its
 * server so too. test/integration/server/artifact.test.ts checks both files.
 *
 * `--initial-old-space-size=128` (MB): V8 starts a process with a small old generation, collects
 * it whenever it fills and grows it step by step. A pull page is ~3 MB of text (decoded from
 * PostgreSQL, encoded again for the socket), so a new process collected its whole heap every few
 * pages: a 50k-record first sync cost a just-started server ~430–490 ms of CPU, ~220–260 ms with
 * the flag, as much as once it has warmed up (pulls replayed in one process, 2 × 2 runs;
 * /work/notes/s33g.md). It sets where the first collections happen, not memory set aside.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--initial-old-space-size=128'];
