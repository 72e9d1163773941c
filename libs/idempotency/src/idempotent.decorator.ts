import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { ApiProblems, IDEMPOTENT_ROUTE } from '@cave/http';
import { IdempotencyInterceptor } from './idempotency.interceptor';

/**
 * Makes an unsafe route retry-safe with an `Idempotency-Key` header and documents it. Opt-in per
 * route: responses that carry secrets (e.g. a new API key) must not be stored for replay.
 */
export function Idempotent(): MethodDecorator {
  return applyDecorators(
    UseInterceptors(IdempotencyInterceptor),
    // Tells CurrentCommandMeta that this route validated the key, so commands may carry it.
    SetMetadata(IDEMPOTENT_ROUTE, true),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        'Any unique string (1-255 printable ASCII, e.g. a UUID). A retry with the same key and request returns the first response ' +
        '(header `Idempotent-Replayed: true`) and changes nothing; a different request with the same key is 422; ' +
        'while the first is still running, 409 with Retry-After. Kept for 24 hours per namespace.',
      schema: { type: 'string', maxLength: 255, example: '5f1c2a7e-3b9d-4c1e-8f00-1a2b3c4d5e6f' },
    }),
    ApiProblems(422),
  );
}
