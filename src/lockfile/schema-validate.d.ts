/** Types of the generated standalone validator (schema-validate.js). */
export interface SchemaError {
  instancePath: string;
  message?: string;
  params?: Record<string, unknown>;
}
export declare function validate(data: unknown): boolean;
export declare namespace validate {
  let errors: SchemaError[] | null;
}
export default validate;
