import { IndexObject, MeshIndex } from '../core/index-contract';
import { commandLine, getFieldCommand, peerAuthentications, PlanCommand, PlanOptions, podsCommand, spireServerCommand, spireServerPodsCommand, statusParts } from './plan';
import { parsePods, Pod, PodListError, readyPod } from './pods';
import { CommandResult, Io, Runner, toolError } from './runner';

/** A Deployment owns its pods through a ReplicaSet named `<deployment>-<hash>`; the other kinds own them directly. */
function ownedBy(pod: Pod, workload: IndexObject): boolean {
  return pod.owners.some((owner) =>
    workload.kind === 'Deployment' ? owner.kind === 'ReplicaSet' && owner.name.startsWith(`${workload.name}-`) : owner.kind === workload.kind && owner.name === workload.name,
  );
}

function podState(pod: Pod): { ok: boolean; text: string } {
  if (pod.phase === 'Succeeded') return { ok: true, text: 'completed' };
  return pod.ready ? { ok: true, text: 'ready' } : { ok: false, text: `not ready (${pod.phase})` };
}

const lastLine = (result: CommandResult) => (toolError(result.stderr) || result.stdout.trim()).split('\n').pop() ?? '';

/**
 * Runs one read-only kubectl call. A cluster that is unreachable (or never answers) ends
 * `status` with that message (the runner's `ClusterError`), instead of reporting every pod as
 * missing.
 */
function query(runner: Runner, cmd: PlanCommand): Promise<CommandResult> {
  return runner.execOrThrow(cmd);
}

/**
 * `status`: the pods of each part, ready or not; the number of registration entries; the
 * PeerAuthentication mode. Reports what it cannot read instead of failing, so it also works
 * on a half-installed or removed mesh. Returns the number of pods that are not ready or missing.
 */
export async function printStatus(index: MeshIndex, options: PlanOptions, runner: Runner, io: Io, dryRun: boolean): Promise<number> {
  const parts = statusParts(index);
  const serverPods = spireServerPodsCommand(index, options);
  const modes = peerAuthentications(index).map((pa) => ({ pa, cmd: getFieldCommand(options, pa, '{.spec.mtls.mode}') }));
  if (dryRun) {
    for (const part of parts) for (const ns of part.namespaces.keys()) io.out(`$ ${commandLine(podsCommand(options, ns))}`);
    io.out(`$ ${commandLine(serverPods)}`);
    io.out(`$ ${commandLine(spireServerCommand(index, options, '<ready server pod>', 'entry', 'count'))}`);
    for (const { cmd } of modes) io.out(`$ ${commandLine(cmd)}`);
    return 0;
  }

  if (parts.length === 0) io.out('no part of this mesh runs pods');
  let notReady = 0;
  for (const part of parts) {
    io.out(`${part.title}:`);
    for (const [ns, workloads] of part.namespaces) {
      const result = await query(runner, podsCommand(options, ns));
      let pods: Pod[];
      try {
        if (result.code !== 0) throw new Error(lastLine(result));
        pods = parsePods(result.stdout, `pods in ${ns}`).filter((pod) => workloads.length === 0 || workloads.some((w) => ownedBy(pod, w)));
      } catch (err) {
        io.out(`  ? cannot list pods in ${ns}: ${(err as Error).message}`);
        notReady++;
        continue;
      }
      if (pods.length === 0) {
        io.out(`  - no pods in ${ns}`);
        notReady++;
      }
      for (const pod of pods) {
        const state = podState(pod);
        if (!state.ok) notReady++;
        io.out(`  ${state.ok ? '✓' : '✗'} ${ns}/${pod.name}: ${state.text}`);
      }
    }
  }

  io.out(`registration entries: ${await entryCount(index, options, runner)}`);
  for (const { pa, cmd } of modes) {
    const result = await query(runner, cmd);
    const mode =
      result.code === 0 && result.stdout.trim() ? result.stdout.trim() : /NotFound|not found/.test(result.stderr) || result.code === 0 ? 'not found' : `unknown (${lastLine(result)})`;
    io.out(`PeerAuthentication ${pa.namespace ?? 'default'}/${pa.name}: mtls mode ${mode}`);
  }
  return notReady;
}

/** The entry count from a Ready SPIRE server pod, or why it is unknown. */
async function entryCount(index: MeshIndex, options: PlanOptions, runner: Runner): Promise<string> {
  const listed = await query(runner, spireServerPodsCommand(index, options));
  if (listed.code !== 0) return `unknown (${lastLine(listed)})`;
  let pod: Pod | undefined;
  try {
    pod = readyPod(parsePods(listed.stdout, 'the SPIRE server pods'));
  } catch (err) {
    if (err instanceof PodListError) return `unknown (${err.message})`;
    throw err;
  }
  if (!pod) return 'unknown (no Ready SPIRE server pod)';
  const result = await query(runner, spireServerCommand(index, options, pod.name, 'entry', 'count'));
  const count = result.code === 0 ? /(\d+)/.exec(result.stdout)?.[1] : undefined;
  return count ?? `unknown (${lastLine(result)})`;
}
