// Wire shapes of paper types and forestry projects, as the PrintReleaf reference shows them.
import { Type } from 'typebox';
import { MAX_DENSITY } from '../domain/paper.ts';
import { NullableString, StringEnum, Uuid, orNull } from '../http/schemas.ts';

export const PaperType = Type.Object({
  id: Uuid,
  account_id: Type.Union([Uuid, Type.Null()], { description: 'the owning account; null for a default type of the catalog' }),
  name: Type.String(),
  density: Type.Integer({ description: 'g/m²' }),
  external_id: NullableString,
});

export const CreatePaperTypeBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  density: Type.Integer({ minimum: 1, maximum: MAX_DENSITY, description: 'g/m², an integer' }),
  external_id: Type.Optional(orNull(Type.String({ maxLength: 200 }))),
});

export const ForestryProject = Type.Object({
  id: Uuid,
  name: Type.String(),
  status: StringEnum(['active', 'complete'] as const, { description: 'a complete project receives no new trees' }),
  forest_latitude: Type.Union([Type.Number(), Type.Null()]),
  forest_longitude: Type.Union([Type.Number(), Type.Null()]),
  content_logo: NullableString,
  content_masthead: NullableString,
  content_introduction: NullableString,
  content_body_html: NullableString,
  content_images: Type.Array(Type.String()),
});
