export class ListPartsQuery {
  constructor(
    readonly namespace: string,
    readonly bucket: string,
    readonly uploadId: string,
  ) {}
}
