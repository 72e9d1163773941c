import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ObjectWriter } from '../object-writer';
import { PutObjectCommand, PutObjectResult } from './put-object.command';

@CommandHandler(PutObjectCommand)
export class PutObjectHandler implements ICommandHandler<PutObjectCommand, PutObjectResult> {
  constructor(private readonly writer: ObjectWriter) {}

  execute({ target, body, size, meta }: PutObjectCommand): Promise<PutObjectResult> {
    return this.writer.put(target, body, size, meta);
  }
}
