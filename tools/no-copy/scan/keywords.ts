/** Words kept as themselves: they carry the structure that identifier renaming cannot change. */
export const JS_KEYWORDS = new Set(
  (
    'break case catch class const continue debugger default delete do else export extends finally for function if ' +
    'import in instanceof let new return super switch this throw try typeof var void while with yield async await ' +
    'of static get set true false null undefined'
  ).split(' '),
);

/** SQL words kept as themselves (lower-cased); every other word in SQL is an identifier. */
export const SQL_KEYWORDS = new Set(
  (
    'select from where insert into values update set delete create table index unique primary key foreign ' +
    'references not null default and or in is as on join left right inner outer full cross using group by order ' +
    'having limit offset returning with recursive union all distinct case when then else end exists between like ' +
    'ilike begin commit rollback function returns language plpgsql declare return if elsif loop for while raise ' +
    'exception perform execute trigger before after each row grant revoke to alter add drop column constraint ' +
    'check cascade restrict policy enable force level security role schema sequence view materialized type ' +
    'coalesce cast conflict do nothing lateral over partition window filter asc desc nulls first last true false'
  ).split(' '),
);
