export { commandMetaFor, correlationIdFrom, systemCommandMeta } from './command-meta';
export type { CommandMeta } from './command-meta';
export { fold } from './decider';
export type { Decider } from './decider';
export { DomainError } from './domain-error';
export type { DomainErrorKind } from './domain-error';
export { InvalidInputError, VALIDATION_CODE } from './invalid-input.errors';
export type { FieldProblem } from './invalid-input.errors';
export type { Principal } from './principal';
