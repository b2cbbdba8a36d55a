// Run by `npm install` (the prepare script): when npm itself runs on a Node older than 24, says what its
// EBADENGINE warnings above mean, right where the person reads them. Plain JavaScript: it must run on any Node.
const agent = process.env.npm_config_user_agent ?? '';
const major = Number(/node\/v(\d+)/.exec(agent)?.[1] ?? '24');
if (major < 24) {
  process.stdout.write(
    `\nNote: the EBADENGINE warnings above are about the Node that runs npm (${/node\/(v[\d.]+)/.exec(agent)?.[1]}), not the one\n` +
      `that runs Canopy: npm start, npm test, npm run … and npx canopy use the Node 24 pinned in node_modules/.bin/node.\n` +
      `See README.md, "Node".\n\n`,
  );
}
