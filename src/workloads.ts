/** Which kinds hold a pod spec, and where: the base of every trigger's fieldPath. */

export interface WorkloadKind {
  /** Dotted path from the object root to its pod spec. */
  readonly podSpecPath: readonly string[];
  /** Whether OpenShift's image-trigger controller watches this kind's annotation. */
  readonly watchedByOpenShift: boolean;
}

const TEMPLATE = ['spec', 'template', 'spec'] as const;

/** Keyed by kind; API groups are not compared (older groups use the same paths). */
export const WORKLOAD_KINDS: Readonly<Record<string, WorkloadKind>> = {
  Deployment: { podSpecPath: TEMPLATE, watchedByOpenShift: true },
  StatefulSet: { podSpecPath: TEMPLATE, watchedByOpenShift: true },
  DaemonSet: { podSpecPath: TEMPLATE, watchedByOpenShift: true },
  CronJob: { podSpecPath: ['spec', 'jobTemplate', 'spec', 'template', 'spec'], watchedByOpenShift: true },
  ReplicaSet: { podSpecPath: TEMPLATE, watchedByOpenShift: false },
  ReplicationController: { podSpecPath: TEMPLATE, watchedByOpenShift: false },
  Job: { podSpecPath: TEMPLATE, watchedByOpenShift: false },
  Pod: { podSpecPath: ['spec'], watchedByOpenShift: false },
  PodTemplate: { podSpecPath: ['template', 'spec'], watchedByOpenShift: false },
};

export function workloadKind(kind: unknown): WorkloadKind | undefined {
  return typeof kind === 'string' && Object.hasOwn(WORKLOAD_KINDS, kind) ? WORKLOAD_KINDS[kind] : undefined;
}

export const CONTAINER_LISTS = ['initContainers', 'containers'] as const;
export type ContainerList = (typeof CONTAINER_LISTS)[number];
