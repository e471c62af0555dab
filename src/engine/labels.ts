/**
 * Every label and annotation key devpipe puts on what it creates (images, containers, networks,
 * volumes, Kubernetes objects): one home, so `down`, `status`, `prune` and crash cleanup find
 * things by the same names that created them (STYLE.md §9).
 */
export const LABEL_MANAGED_BY = 'devpipe.managed-by';
/** The value of LABEL_MANAGED_BY. */
export const MANAGED_BY = 'devpipe';
export const LABEL_PROJECT = 'devpipe.project';
export const LABEL_SERVICE = 'devpipe.service';
/** `stack`, `e2e`, `test`, `pod`, `anchor`. */
export const LABEL_ROLE = 'devpipe.role';
export const LABEL_RUN = 'devpipe.run';
export const LABEL_PIPELINE = 'devpipe.pipeline';
export const LABEL_STAGE = 'devpipe.stage';
export const LABEL_JOB = 'devpipe.job';
export const LABEL_OWNER_PID = 'devpipe.owner-pid';
export const LABEL_OWNER_HOST = 'devpipe.owner-host';
export const LABEL_VARIANT = 'devpipe.variant';
export const LABEL_REVISION = 'devpipe.revision';
/** The build key: the content hash of everything a build reads (see engine/build.ts). */
export const LABEL_CONTENT_HASH = 'devpipe.content-hash';
export const LABEL_BASES = 'devpipe.bases';
export const LABEL_POD_OF = 'devpipe.pod-of';
export const LABEL_SIDECAR_OF = 'devpipe.sidecar-of';
/** Kubernetes: the project path a ConfigMap copies. */
export const LABEL_SOURCE = 'devpipe.source';
export const ANNOTATION_CHECKSUM = 'devpipe.checksum';
export const ANNOTATION_HOST_PORTS = 'devpipe.host-ports';
