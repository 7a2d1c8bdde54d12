/** Types of runtime/node-runtime.cjs (plain JS, as tools/run.cjs must be). */
export declare const typescriptHook: string;
export declare function typescriptArgs(): string[];
export declare const worker: { nodeArgs: string[]; env: Record<string, string> };
export declare function nodeRuntime(options?: { runsWorker?: boolean; env?: NodeJS.ProcessEnv }): {
  execArgv: string[];
  env: NodeJS.ProcessEnv;
};
export declare function nodeCommand(
  script: string,
  scriptArgs?: string[],
  options?: { runsWorker?: boolean; env?: NodeJS.ProcessEnv },
): [string, string[], NodeJS.ProcessEnv];
export type Role = 'api' | 'worker' | 'projector' | 'bridges';
export declare const roles: Record<Role, string>;
/** A compiled tree (dist/ under `root`) and the Node binary to run it with. */
export interface CompiledRun {
  root: string;
  node: string;
}
export declare function roleCommand(
  role: Role,
  options?: { env?: NodeJS.ProcessEnv; compiled?: CompiledRun },
): [string, string[], NodeJS.ProcessEnv];
export type ImageEntry = Role | 'migrate' | 'kafka-setup';
export declare const compiled: Record<ImageEntry, string[]>;
export declare function imageCommand(entry: ImageEntry): string[];
