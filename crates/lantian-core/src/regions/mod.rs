//! Regions (区域): the 21 cities of Sichuan with their codes, names and aliases, economic regions and
//! joint-control regions.

pub mod cities;
