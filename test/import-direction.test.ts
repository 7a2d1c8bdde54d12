import path from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The layout's import rules (eslint.config.mjs) as `npx eslint .` applies them: a snippet is
 * linted as if it were a file at the given path, so each rule is seen to catch what it forbids
 * and to let through what the layout allows.
 */
const root = path.join(__dirname, '..');
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

async function importErrors(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${source}\nexport const used = imported;\n`, {
    filePath: path.join(root, file),
  });
  expect(result.fatalErrorCount, `${file} parses`).toBe(0);
  return result.messages
    .filter((message) => message.ruleId?.startsWith('no-restricted-'))
    .map((message) => message.message);
}

describe('import direction', () => {
  it('refuses a domain file that imports the tools, the tests or another product folder', async () => {
    expect(await importErrors('domain/direction-example.ts', "import { imported } from '../tools/fixtures';")).toEqual([
      expect.stringContaining('Product code never imports tools/ or test/'),
      expect.stringContaining('domain/ imports only domain/, schemas/ and zod'),
    ]);
    expect(
      await importErrors('domain/direction-example.ts', "import { imported } from './support/fixtures';"),
    ).toHaveLength(2);
    expect(await importErrors('domain/direction-example.ts', "import { imported } from '../app';")).toEqual([
      expect.stringContaining('domain/ imports only domain/, schemas/ and zod'),
    ]);
    expect(
      await importErrors('domain/direction-example.ts', "import { imported } from '@temporalio/workflow';"),
    ).toHaveLength(1);
    expect(await importErrors('domain/direction-example.ts', "import type { imported } from 'node:fs';")).toHaveLength(
      1,
    );
  });

  it('lets the domain import itself, the schemas and zod', async () => {
    const source =
      "import { imported } from './dates';\nimport { z } from 'zod';\nimport type { Patient } from '../schemas/common';\nexport type Both = [typeof z, Patient];";
    expect(await importErrors('domain/direction-example.ts', source)).toEqual([]);
  });

  it('refuses product code that imports the tools or the tests, wherever it sits', async () => {
    expect(await importErrors('cli/direction-example.ts', "import { imported } from '../tools/infra/paths';")).toEqual([
      expect.stringContaining('Product code never imports tools/ or test/'),
    ]);
    expect(
      await importErrors(
        'bridges/nested/direction-example.ts',
        "import { imported } from '../../test/support/fixtures';",
      ),
    ).toHaveLength(1);
    expect(
      await importErrors('runtime/direction-example.cjs', "const { imported } = require('../tools/roles');"),
    ).toEqual([expect.stringContaining('Product code never imports tools/ or test/')]);
    expect(await importErrors('cli/direction-example.ts', "import { imported } from '../runtime/local';")).toEqual([]);
  });

  it('refuses tools that import the tests, and lets the tests import the tools', async () => {
    expect(
      await importErrors('tools/bench/direction-example.ts', "import { imported } from '../../test/support/fixtures';"),
    ).toEqual([expect.stringContaining('tools/ never imports test/')]);
    expect(
      await importErrors('test/direction-example.test.ts', "import { imported } from '../tools/fixtures';"),
    ).toEqual([]);
    expect(
      await importErrors('projections/direction-example.test.ts', "import { imported } from './domain/spec';"),
    ).toEqual([]);
  });
});
