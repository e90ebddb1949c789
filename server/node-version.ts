/**
 * The first thing the server (and every operator script) evaluates: on a Node.js older than 22
 * the native SQLite module, built for this release's Node, crashes the process without a word
 * (a segmentation fault on Node 20). One line and exit code 2 instead. `engines` in
 * package.json says the same to npm; a production host runs `node` itself.
 */
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(`amo-address needs Node.js 22 or newer (it is built and tested on 24); this is Node.js ${process.versions.node}. Install Node.js 24 and start again.\n`);
  process.exit(2);
}
export {};
