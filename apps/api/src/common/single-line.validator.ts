import { ValidateBy, type ValidationOptions } from 'class-validator';
import { describeTextProblem, findTextProblem } from '../../../../libs/domain/text/untrusted-text';

/**
 * For identifiers, usernames, passwords and names: no control character at all, tab and line breaks
 * included (the global HostileInputPipe lets those through for free text such as message bodies).
 */
export function SingleLine(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'singleLine',
      validator: {
        validate: (value: unknown) =>
          typeof value !== 'string' || findTextProblem(value, false) === undefined,
        defaultMessage: (args) => {
          const problem = typeof args?.value === 'string' ? findTextProblem(args.value, false) : undefined;
          return `${args?.property ?? 'value'} ${problem ? describeTextProblem(problem) : 'must be one line of text'}`;
        },
      },
    },
    options,
  );
}
