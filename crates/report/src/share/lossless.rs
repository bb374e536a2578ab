//! JSON in which every float reads back to the same bits.
//!
//! serde_json alone loses floats in two ways. It writes NaN and ±infinity as `null`,
//! which then fails to read back into an `f64` (LPP reports hold NaN for undefined
//! per-layer values). And without its `float_roundtrip` feature (off in this workspace;
//! turning it on changes serde_json for every crate in the build) its reader is fast
//! but not correctly rounded: about one computed value in ten (17 significant digits)
//! reads back one unit in the last place off.
//!
//! So a float is written as a JSON number only when serde_json reads that very text back
//! to the same bits, which is checked as it is written. Any other float is written as a
//! tagged string, the tag character U+0000 followed by its shortest exact decimal (read
//! back with Rust's correctly rounded parser) or, for NaN, its bit pattern:
//! `"\u00000.30000000000000004"`, `"\u0000inf"`, `"\u0000NaN:7ff8000000000000"`; an
//! `f32` has `f32:` after the tag. A real string that starts with U+0000 gets a second
//! one in front, so the mapping stays one to one.
//!
//! Both sides are thin wrappers around serde_json's serializer and deserializer that
//! change only floats and strings and pass everything else through. Reading a float
//! asks serde_json for "any" value, so that a tagged string reaches the float's visitor;
//! this also works where serde buffers values (`#[serde(flatten)]`, internally tagged
//! enums), which is where most of a report's floats are.

use serde::de::{self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess};
use serde::de::{VariantAccess, Visitor};
use serde::ser::{self, Serialize, Serializer};
use std::fmt;

/// Starts every tagged string.
const TAG: char = '\0';
/// After the tag: the float is an `f32`.
const F32: &str = "f32:";
/// Before a NaN's bit pattern.
const NAN: &str = "NaN:";

/// Whether serde_json reads the number it writes for `value` back to the same bits.
fn f64_survives_json(value: f64) -> bool {
    value.is_finite()
        && serde_json::to_string(&value)
            .ok()
            .and_then(|text| serde_json::from_str::<f64>(&text).ok())
            .is_some_and(|back| back.to_bits() == value.to_bits())
}

/// The same for an `f32`, read back the way [`Lossless`] reads one: as an `f64`,
/// then narrowed.
fn f32_survives_json(value: f32) -> bool {
    value.is_finite()
        && serde_json::to_string(&value)
            .ok()
            .and_then(|text| serde_json::from_str::<f64>(&text).ok())
            .is_some_and(|back| (back as f32).to_bits() == value.to_bits())
}

/// A tagged float's text: `NaN:` and the bits for NaN (any sign or payload), else the
/// shortest decimal that parses back to `value` (`inf` and `-inf` included).
fn f64_tagged(value: f64) -> String {
    if value.is_nan() {
        format!("{TAG}{NAN}{:016x}", value.to_bits())
    } else {
        format!("{TAG}{value:?}")
    }
}

fn f32_tagged(value: f32) -> String {
    if value.is_nan() {
        format!("{TAG}{F32}{NAN}{:08x}", value.to_bits())
    } else {
        format!("{TAG}{F32}{value:?}")
    }
}

/// A tagged string's meaning.
enum Tagged<'a> {
    F64(f64),
    F32(f32),
    /// A real string that started with the tag character (one tag removed).
    Text(&'a str),
}

/// Reads a string that starts with [`TAG`]; `None` for a malformed one.
fn untag(text: &str) -> Option<Tagged<'_>> {
    let body = text.strip_prefix(TAG)?;
    if body.starts_with(TAG) {
        return Some(Tagged::Text(body));
    }
    if let Some(body) = body.strip_prefix(F32) {
        let value = match body.strip_prefix(NAN) {
            Some(hex) if hex.len() == 8 => f32::from_bits(u32::from_str_radix(hex, 16).ok()?),
            Some(_) => return None,
            None => body.parse().ok()?,
        };
        return Some(Tagged::F32(value));
    }
    let value = match body.strip_prefix(NAN) {
        Some(hex) if hex.len() == 16 => f64::from_bits(u64::from_str_radix(hex, 16).ok()?),
        Some(_) => return None,
        None => body.parse().ok()?,
    };
    Some(Tagged::F64(value))
}

/// A value, or a serializer, or a deserializer, wrapped so that floats and strings go
/// through the rules above.
pub(crate) struct Lossless<T>(pub T);

// ---- writing ---------------------------------------------------------------------

impl<T: Serialize + ?Sized> Serialize for Lossless<&T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(Lossless(serializer))
    }
}

macro_rules! forward_serialize {
    ($($method:ident($ty:ty)),* $(,)?) => {$(
        fn $method(self, value: $ty) -> Result<S::Ok, S::Error> {
            self.0.$method(value)
        }
    )*};
}

impl<S: Serializer> Serializer for Lossless<S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = Lossless<S::SerializeSeq>;
    type SerializeTuple = Lossless<S::SerializeTuple>;
    type SerializeTupleStruct = Lossless<S::SerializeTupleStruct>;
    type SerializeTupleVariant = Lossless<S::SerializeTupleVariant>;
    type SerializeMap = Lossless<S::SerializeMap>;
    type SerializeStruct = Lossless<S::SerializeStruct>;
    type SerializeStructVariant = Lossless<S::SerializeStructVariant>;

    forward_serialize!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_i128(i128),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_u128(u128),
        serialize_bytes(&[u8]),
    );

    fn serialize_f64(self, value: f64) -> Result<S::Ok, S::Error> {
        if f64_survives_json(value) {
            self.0.serialize_f64(value)
        } else {
            self.0.serialize_str(&f64_tagged(value))
        }
    }

    fn serialize_f32(self, value: f32) -> Result<S::Ok, S::Error> {
        if f32_survives_json(value) {
            self.0.serialize_f32(value)
        } else {
            self.0.serialize_str(&f32_tagged(value))
        }
    }

    fn serialize_char(self, value: char) -> Result<S::Ok, S::Error> {
        if value == TAG {
            self.0.serialize_str(&format!("{TAG}{TAG}"))
        } else {
            self.0.serialize_char(value)
        }
    }

    fn serialize_str(self, value: &str) -> Result<S::Ok, S::Error> {
        if value.starts_with(TAG) {
            self.0.serialize_str(&format!("{TAG}{value}"))
        } else {
            self.0.serialize_str(value)
        }
    }

    fn serialize_none(self) -> Result<S::Ok, S::Error> {
        self.0.serialize_none()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        self.0.serialize_some(&Lossless(value))
    }

    fn serialize_unit(self) -> Result<S::Ok, S::Error> {
        self.0.serialize_unit()
    }

    fn serialize_unit_struct(self, name: &'static str) -> Result<S::Ok, S::Error> {
        self.0.serialize_unit_struct(name)
    }

    fn serialize_unit_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
    ) -> Result<S::Ok, S::Error> {
        self.0.serialize_unit_variant(name, index, variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        self.0.serialize_newtype_struct(name, &Lossless(value))
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        self.0
            .serialize_newtype_variant(name, index, variant, &Lossless(value))
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, S::Error> {
        self.0.serialize_seq(len).map(Lossless)
    }

    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, S::Error> {
        self.0.serialize_tuple(len).map(Lossless)
    }

    fn serialize_tuple_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct, S::Error> {
        self.0.serialize_tuple_struct(name, len).map(Lossless)
    }

    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, S::Error> {
        self.0
            .serialize_tuple_variant(name, index, variant, len)
            .map(Lossless)
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
        self.0.serialize_map(len).map(Lossless)
    }

    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        self.0.serialize_struct(name, len).map(Lossless)
    }

    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant, S::Error> {
        self.0
            .serialize_struct_variant(name, index, variant, len)
            .map(Lossless)
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

/// The compound serializers: each element, field, key and value wrapped.
macro_rules! lossless_compound {
    ($trait:ident, $method:ident($($key:ident: $key_ty:ty),*)) => {
        impl<C: ser::$trait> ser::$trait for Lossless<C> {
            type Ok = C::Ok;
            type Error = C::Error;

            fn $method<T: Serialize + ?Sized>(
                &mut self,
                $($key: $key_ty,)*
                value: &T,
            ) -> Result<(), C::Error> {
                self.0.$method($($key,)* &Lossless(value))
            }

            fn end(self) -> Result<C::Ok, C::Error> {
                self.0.end()
            }
        }
    };
}

lossless_compound!(SerializeSeq, serialize_element());
lossless_compound!(SerializeTuple, serialize_element());
lossless_compound!(SerializeTupleStruct, serialize_field());
lossless_compound!(SerializeTupleVariant, serialize_field());

impl<C: ser::SerializeStruct> ser::SerializeStruct for Lossless<C> {
    type Ok = C::Ok;
    type Error = C::Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), C::Error> {
        self.0.serialize_field(key, &Lossless(value))
    }

    fn skip_field(&mut self, key: &'static str) -> Result<(), C::Error> {
        self.0.skip_field(key)
    }

    fn end(self) -> Result<C::Ok, C::Error> {
        self.0.end()
    }
}

impl<C: ser::SerializeStructVariant> ser::SerializeStructVariant for Lossless<C> {
    type Ok = C::Ok;
    type Error = C::Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), C::Error> {
        self.0.serialize_field(key, &Lossless(value))
    }

    fn skip_field(&mut self, key: &'static str) -> Result<(), C::Error> {
        self.0.skip_field(key)
    }

    fn end(self) -> Result<C::Ok, C::Error> {
        self.0.end()
    }
}

impl<C: ser::SerializeMap> ser::SerializeMap for Lossless<C> {
    type Ok = C::Ok;
    type Error = C::Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), C::Error> {
        self.0.serialize_key(&Lossless(key))
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), C::Error> {
        self.0.serialize_value(&Lossless(value))
    }

    fn serialize_entry<K: Serialize + ?Sized, V: Serialize + ?Sized>(
        &mut self,
        key: &K,
        value: &V,
    ) -> Result<(), C::Error> {
        self.0.serialize_entry(&Lossless(key), &Lossless(value))
    }

    fn end(self) -> Result<C::Ok, C::Error> {
        self.0.end()
    }
}

// ---- reading ---------------------------------------------------------------------

macro_rules! forward_deserialize {
    ($($method:ident),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
            self.0.$method(Lossless(visitor))
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Lossless<D> {
    type Error = D::Error;

    forward_deserialize!(
        deserialize_any,
        deserialize_bool,
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64,
        deserialize_i128,
        deserialize_u8,
        deserialize_u16,
        deserialize_u32,
        deserialize_u64,
        deserialize_u128,
        deserialize_char,
        deserialize_str,
        deserialize_string,
        deserialize_bytes,
        deserialize_byte_buf,
        deserialize_option,
        deserialize_unit,
        deserialize_seq,
        deserialize_map,
        deserialize_identifier,
        deserialize_ignored_any,
    );

    // A float may arrive as a tagged string, which a float request would refuse
    // before any visitor saw it: ask for any value, the visitor sorts it out.
    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(Lossless(visitor))
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(Lossless(visitor))
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_unit_struct(name, Lossless(visitor))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_newtype_struct(name, Lossless(visitor))
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple(len, Lossless(visitor))
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0
            .deserialize_tuple_struct(name, len, Lossless(visitor))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_struct(name, fields, Lossless(visitor))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_enum(name, variants, Lossless(visitor))
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

impl<'de, T: DeserializeSeed<'de>> DeserializeSeed<'de> for Lossless<T> {
    type Value = T::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T::Value, D::Error> {
        self.0.deserialize(Lossless(deserializer))
    }
}

macro_rules! forward_visit {
    ($($method:ident($ty:ty)),* $(,)?) => {$(
        fn $method<E: de::Error>(self, value: $ty) -> Result<V::Value, E> {
            self.0.$method(value)
        }
    )*};
}

impl<V> Lossless<V> {
    /// What a tagged string stands for, handed to the wrapped visitor; `plain` when the
    /// string is not tagged.
    fn visit_text<'de, E: de::Error>(
        self,
        text: &str,
        plain: impl FnOnce(V) -> Result<V::Value, E>,
    ) -> Result<V::Value, E>
    where
        V: Visitor<'de>,
    {
        if !text.starts_with(TAG) {
            return plain(self.0);
        }
        match untag(text) {
            Some(Tagged::F64(value)) => self.0.visit_f64(value),
            Some(Tagged::F32(value)) => self.0.visit_f32(value),
            Some(Tagged::Text(text)) => self.0.visit_str(text),
            None => Err(E::invalid_value(
                de::Unexpected::Str(text),
                &"a float's bit pattern, or a string",
            )),
        }
    }
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Lossless<V> {
    type Value = V::Value;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(formatter)
    }

    forward_visit!(
        visit_bool(bool),
        visit_i8(i8),
        visit_i16(i16),
        visit_i32(i32),
        visit_i64(i64),
        visit_i128(i128),
        visit_u8(u8),
        visit_u16(u16),
        visit_u32(u32),
        visit_u64(u64),
        visit_u128(u128),
        visit_f32(f32),
        visit_f64(f64),
        visit_char(char),
        visit_bytes(&[u8]),
        visit_borrowed_bytes(&'de [u8]),
        visit_byte_buf(Vec<u8>),
    );

    fn visit_str<E: de::Error>(self, value: &str) -> Result<V::Value, E> {
        self.visit_text(value, |visitor| visitor.visit_str(value))
    }

    fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<V::Value, E> {
        // An escaped string keeps borrowing: its tail is still part of the input.
        match value.strip_prefix(TAG).filter(|rest| rest.starts_with(TAG)) {
            Some(escaped) => self.0.visit_borrowed_str(escaped),
            None => self.visit_text(value, |visitor| visitor.visit_borrowed_str(value)),
        }
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<V::Value, E> {
        if value.starts_with(TAG) {
            self.visit_text(&value, |visitor| visitor.visit_str(&value))
        } else {
            self.0.visit_string(value)
        }
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_none()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<V::Value, D::Error> {
        self.0.visit_some(Lossless(deserializer))
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_unit()
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<V::Value, D::Error> {
        self.0.visit_newtype_struct(Lossless(deserializer))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.0.visit_seq(Lossless(seq))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.0.visit_map(Lossless(map))
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.0.visit_enum(Lossless(data))
    }
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Lossless<A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        self.0.next_element_seed(Lossless(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Lossless<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.0.next_key_seed(Lossless(seed))
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.0.next_value_seed(Lossless(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: EnumAccess<'de>> EnumAccess<'de> for Lossless<A> {
    type Error = A::Error;
    type Variant = Lossless<A::Variant>;

    fn variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<(T::Value, Self::Variant), A::Error> {
        self.0
            .variant_seed(Lossless(seed))
            .map(|(value, variant)| (value, Lossless(variant)))
    }
}

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for Lossless<A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.0.unit_variant()
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        self.0.newtype_variant_seed(Lossless(seed))
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.0.tuple_variant(len, Lossless(visitor))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        self.0.struct_variant(fields, Lossless(visitor))
    }
}

/// `value` as compact JSON under the rules above.
pub(crate) fn to_vec<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    let mut json = Vec::new();
    value.serialize(Lossless(&mut serde_json::Serializer::new(&mut json)))?;
    Ok(json)
}

/// Reads JSON written by [`to_vec`] (and plain JSON: untagged text reads as usual).
/// serde_json's recursion limit stays on, so deep nesting is an error, not a crash.
pub(crate) fn from_slice<'de, T: de::Deserialize<'de>>(
    json: &'de [u8],
) -> Result<T, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(json);
    let value = T::deserialize(Lossless(&mut deserializer))?;
    deserializer.end()?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Serialize, Deserialize)]
    struct Floats {
        wide: Vec<f64>,
        narrow: Vec<f32>,
        maybe: Option<f64>,
        text: Vec<String>,
        letter: char,
    }

    fn bits(values: &[f64]) -> Vec<u64> {
        values.iter().map(|v| v.to_bits()).collect()
    }

    #[test]
    fn every_float_reads_back_to_its_bits() {
        let negative_nan = f64::from_bits(0xfff8_0000_0000_0000);
        let payload_nan = f64::from_bits(0x7ff0_0000_0000_0001);
        let mut wide = vec![
            0.0,
            -0.0,
            0.1,
            0.1 + 0.2,
            1.0 / 3.0,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            f64::EPSILON,
            f64::NAN,
            negative_nan,
            payload_nan,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        // Many 17-digit values: some of them serde_json's fast reader rounds off.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..2000 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            wide.push(f64::from_bits(state >> 2));
            wide.push((state >> 11) as f64 / (1u64 << 53) as f64);
        }
        let floats = Floats {
            wide,
            narrow: vec![0.1, f32::NAN, f32::NEG_INFINITY, f32::MIN_POSITIVE, 1e-45],
            maybe: Some(f64::NAN),
            text: vec![
                "plain".into(),
                "\0NaN:7ff8000000000000".into(),
                "\u{0}0.1".into(),
                "\0".into(),
            ],
            letter: '\0',
        };
        let json = to_vec(&floats).unwrap();
        let back: Floats = from_slice(&json).unwrap();
        assert_eq!(bits(&back.wide), bits(&floats.wide));
        let narrow_bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(narrow_bits(&back.narrow), narrow_bits(&floats.narrow));
        assert_eq!(back.maybe.map(f64::to_bits), floats.maybe.map(f64::to_bits));
        assert_eq!(back.text, floats.text);
        assert_eq!(back.letter, '\0');
    }

    #[test]
    fn tagged_floats_are_readable() {
        let json = to_vec(&[0.1 + 0.2, f64::NEG_INFINITY, f64::NAN]).unwrap();
        let text = String::from_utf8(json).unwrap();
        // 0.30000000000000004 may or may not survive serde_json's reader; the others
        // never do.
        assert!(
            text.ends_with(r#","\u0000-inf","\u0000NaN:7ff8000000000000"]"#),
            "{text}"
        );
    }

    #[test]
    fn plain_numbers_stay_numbers() {
        let json = to_vec(&[0.5f64, 1e300, -2.25]).unwrap();
        assert_eq!(String::from_utf8(json).unwrap(), "[0.5,1e+300,-2.25]");
    }

    #[test]
    fn a_malformed_tag_is_an_error() {
        for text in [
            r#"["\u0000NaN:xyz"]"#,
            r#"["\u0000NaN:7ff8"]"#,
            r#"["\u0000nonsense"]"#,
            r#"["\u0000f32:"]"#,
            r#"["\u0000"]"#,
        ] {
            assert!(from_slice::<Vec<f64>>(text.as_bytes()).is_err(), "{text}");
        }
    }
}
