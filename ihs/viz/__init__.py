"""Chart builders: pure functions DataFrame -> unstyled Altair chart (app, slides, annual report)."""
