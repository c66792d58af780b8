/**
 * Image automation: tag policies (Flux semantics, plus newest-build and digest), tag filters,
 * semver ranges, and the watch that releases a registry's chosen tag into an overlay.
 * @module
 */
export {
  type CompiledTagFilter,
  compileTagFilter,
  expandTemplate,
  type TagFilter,
} from './filter.ts';
export {
  type EditObservation,
  imageEdit,
  type OverlayImage,
  overlayValue,
  readOverlayImage,
} from './overlay.ts';
export {
  describePolicy,
  formatChoice,
  type ImageChoice,
  latestAlphabetical,
  latestBuild,
  latestNumerical,
  latestSemver,
  PolicyError,
  type PolicyErrorReason,
  parseGoFloat,
  parsePolicy,
  policyCandidates,
  type SortOrder,
  selectTag,
  type TagPolicy,
} from './policy.ts';
export {
  type Constraint,
  compareVersions,
  formatVersion,
  parseRange,
  parseStrictVersion,
  parseTagVersion,
  parseVersion,
  type SemVersion,
  SemverError,
  type SemverRange,
  satisfies,
} from './semver.ts';
export {
  chooseImage,
  describeFailure,
  describeOutcome,
  type ImageWatchSpec,
  MAX_BUILD_TIME_CANDIDATES,
  newWatchCache,
  nextPollDelay,
  type PollOutcome,
  pollImage,
  type ReleaseFn,
  retryDelay,
  type WatchCache,
  type WatchLoopOptions,
  type WatchRegistry,
  watchImage,
} from './watch.ts';
