export class ListBucketsQuery {
  constructor(
    readonly namespace: string,
    readonly limit: number,
    readonly cursor?: string,
  ) {}
}
