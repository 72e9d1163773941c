import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { ListResourcesResult, ReadResourceResult, Resource, ResourceTemplate } from '@modelcontextprotocol/sdk/types.js';
import { toRecordedEventDto } from '@cave/http';
import type { Principal } from '@cave/kernel';
import { EVENT_PAGE, GetSandboxEventsQuery, GetSandboxQuery, ListSandboxesQuery, SANDBOX_PAGE, toSandboxDto } from '@cave/sandbox';
import type { SandboxDto } from '@cave/sandbox';
import { UnknownResourceError } from '../errors/mcp.errors';

const SCHEME = 'cave://sandboxes/';
const URI = /^cave:\/\/sandboxes\/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})(\/events)?$/;
const JSON_TYPE = 'application/json';

export const SANDBOX_RESOURCE_TEMPLATES: ResourceTemplate[] = [
  { uriTemplate: `${SCHEME}{id}`, name: 'sandbox', title: 'Sandbox state', description: 'A sandbox as of its latest event', mimeType: JSON_TYPE },
  { uriTemplate: `${SCHEME}{id}/events`, name: 'sandbox-events', title: 'Sandbox history', description: "A sandbox's events in version order", mimeType: JSON_TYPE },
];

function resourcesOf(s: SandboxDto): Resource[] {
  return [
    { uri: `${SCHEME}${s.id}`, name: `sandbox ${s.name}`, title: `${s.name} (${s.state})`, mimeType: JSON_TYPE },
    { uri: `${SCHEME}${s.id}/events`, name: `sandbox ${s.name} events`, title: `${s.name}: history`, mimeType: JSON_TYPE },
  ];
}

/**
 * `cave://sandboxes/{id}` (state) and `cave://sandboxes/{id}/events` (history) over the same queries as
 * REST, always in the caller's namespace: another tenant's id reads as "not found".
 */
@Injectable()
export class SandboxResources {
  constructor(private readonly queries: QueryBus) {}

  /** One page of the namespace's sandboxes, two resources each; `cursor` is the sandbox list's cursor. */
  async list(principal: Principal, cursor?: string): Promise<ListResourcesResult> {
    const page = await this.queries.execute(new ListSandboxesQuery(principal.namespace, { limit: SANDBOX_PAGE.maxLimit, cursor }));
    return { resources: page.items.map(toSandboxDto).flatMap(resourcesOf), ...(page.nextCursor && { nextCursor: page.nextCursor }) };
  }

  async read(principal: Principal, uri: string): Promise<ReadResourceResult> {
    const match = URI.exec(uri);
    if (!match) throw new UnknownResourceError(uri);
    const id = match[1].toLowerCase();
    if (match[2] === undefined) {
      const sandbox = toSandboxDto(await this.queries.execute(new GetSandboxQuery(principal.namespace, id)));
      return { contents: [{ uri, mimeType: JSON_TYPE, text: JSON.stringify(sandbox) }] };
    }
    const page = await this.queries.execute(new GetSandboxEventsQuery(principal.namespace, id, { after: 0, limit: EVENT_PAGE.maxLimit }));
    const body = { items: page.items.map(toRecordedEventDto), nextCursor: page.nextCursor };
    return { contents: [{ uri, mimeType: JSON_TYPE, text: JSON.stringify(body) }] };
  }
}
