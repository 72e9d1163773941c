export class GetBucketQuery {
  constructor(
    readonly namespace: string,
    readonly bucket: string,
  ) {}
}
