import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { isYojinError } from '../errors/index.js';
import { loadConfig } from './index.js';

const file = (text: string) => {
  const p = join(mkdtempSync(join(tmpdir(), 'yojin-cfg-')), 'yojin.toml');
  writeFileSync(p, text);
  return p;
};

describe('config', () => {
  test('defaults fill every section', () => {
    const c = loadConfig({ env: {} });
    assert.equal(c.http.listen, '127.0.0.1:8080');
    assert.equal(c.database.url, '');
    assert.equal(c.data_dir, './.yojin');
  });

  test('file, then env, then flags', () => {
    const p = file('[http]\nlisten = "127.0.0.1:9000"\n[database]\npool_max = 3\n');
    const c = loadConfig({
      file: p,
      env: { YOJIN_DATABASE_POOL_MAX: '7', YOJIN_DATABASE_URL: 'postgres://x/y' },
      overrides: { 'http.listen': '127.0.0.1:9100' },
    });
    assert.equal(c.database.pool_max, 7);
    assert.equal(c.database.url, 'postgres://x/y');
    assert.equal(c.http.listen, '127.0.0.1:9100');
  });

  test('an unknown key in the file is rejected, naming the key', () => {
    const p = file('[http]\nlisten = "127.0.0.1:9000"\nlisen = "oops"\n');
    assert.throws(
      () => loadConfig({ file: p, env: {} }),
      (e) => isYojinError(e, 'CONFIG_UNKNOWN_KEY') && /http\.lisen/.test(e.message),
    );
  });

  test('an unknown section is rejected', () => {
    assert.throws(
      () => loadConfig({ file: file('[htp]\nx = 1\n'), env: {} }),
      (e) => isYojinError(e, 'CONFIG_UNKNOWN_KEY') && /htp/.test(e.message),
    );
  });

  test('a bad value is rejected, naming the key and the problem', () => {
    assert.throws(
      () => loadConfig({ file: file('[database]\npool_max = 0\n'), env: {} }),
      (e) =>
        isYojinError(e, 'CONFIG_INVALID_VALUE') &&
        /database\.pool_max/.test(e.message) &&
        />= 1/.test(e.message),
    );
    assert.throws(
      () => loadConfig({ file: file('[log]\nlevel = "loud"\n'), env: {} }),
      (e) => isYojinError(e, 'CONFIG_INVALID_VALUE') && /log\.level/.test(e.message),
    );
    assert.throws(
      () => loadConfig({ env: {}, overrides: { 'http.listen': 'no-port' } }),
      (e) => isYojinError(e, 'CONFIG_INVALID_VALUE') && /http\.listen/.test(e.message),
    );
  });

  test('bad env values and unknown YOJIN_ variables are rejected', () => {
    assert.throws(
      () => loadConfig({ env: { YOJIN_DATABASE_POOL_MAX: 'many' } }),
      (e) => isYojinError(e, 'CONFIG_INVALID_VALUE') && /YOJIN_DATABASE_POOL_MAX/.test(e.message),
    );
    assert.throws(
      () => loadConfig({ env: { YOJIN_HTTP_LISSEN: 'x' } }),
      (e) => isYojinError(e, 'CONFIG_UNKNOWN_KEY') && /YOJIN_HTTP_LISSEN/.test(e.message),
    );
  });

  test('a file that is not TOML gets a clear error', () => {
    assert.throws(
      () => loadConfig({ file: file('[http\nlisten='), env: {} }),
      (e) => isYojinError(e, 'CONFIG_FILE_UNREADABLE') && /not valid TOML/.test(e.message),
    );
    assert.throws(
      () => loadConfig({ file: '/nonexistent/yojin.toml', env: {} }),
      (e) => isYojinError(e, 'CONFIG_FILE_UNREADABLE'),
    );
  });
});
