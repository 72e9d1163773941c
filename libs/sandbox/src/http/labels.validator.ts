import { registerDecorator, ValidationOptions } from 'class-validator';
import { labelsProblem } from '../domain/sandbox-labels';

/** The domain's label rules as a class-validator decorator, so REST reports them per field. */
export function IsLabels(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isLabels',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => labelsProblem(value) === undefined,
        defaultMessage: (args) => labelsProblem(args?.value) ?? 'labels are invalid',
      },
    });
}
