/** The object's metadata from the read model (HEAD, and GET before it opens the bytes). */
export class GetObjectQuery {
  constructor(
    readonly namespace: string,
    readonly bucket: string,
    readonly key: string,
  ) {}
}
