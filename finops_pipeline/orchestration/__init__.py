"""Jobs and schedules that keep the warehouse current without anyone pressing a button."""
