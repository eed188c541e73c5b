// Run by Maven before the tests: `npm ci` when node_modules is missing or was installed from another
// package-lock.json, nothing otherwise, so a warm build stays fast and needs no network.
var crypto = require('crypto');
var fs = require('fs');
var path = require('path');
var childProcess = require('child_process');

var lockFile = path.join(__dirname, 'package-lock.json');
var stampFile = path.join(__dirname, 'node_modules', '.package-lock.sha256');
var lockHash = crypto.createHash('sha256').update(fs.readFileSync(lockFile)).digest('hex');

var installedHash = fs.existsSync(stampFile) ? fs.readFileSync(stampFile, 'utf8').trim() : null;
if (installedHash === lockHash) {
  process.exit(0);
}

console.log('installing the Pomelo test app with npm ci (package-lock.json ' + lockHash.slice(0, 12) + ')');
var npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
var result = childProcess.spawnSync(npm, ['ci', '--no-audit', '--no-fund'], {cwd: __dirname, stdio: 'inherit'});
if (result.error) {
  console.error('could not run npm: ' + result.error.message);
  process.exit(1);
}
if (result.status !== 0) {
  process.exit(result.status === null ? 1 : result.status);
}
fs.writeFileSync(stampFile, lockHash + '\n');
