export class ListObjectsQuery {
  constructor(
    readonly namespace: string,
    readonly bucket: string,
    readonly options: { prefix: string; delimiter?: string; limit: number; cursor?: string },
  ) {}
}
