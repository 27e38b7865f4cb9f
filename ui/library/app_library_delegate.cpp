#include "library/app_library_delegate.h"

#include <QApplication>
#include <QPainter>

#include "library/app_library_model.h"
#include "settings/theme.h"

namespace ps::ui {
namespace {

// Everything is measured in font units so the rows scale with the font and the
// screen's DPI.
struct RowLayout {
    QRect icon, name, description, badge;
};

RowLayout layoutRow(const QStyleOptionViewItem& option, const QFontMetrics& nameMetrics,
                    const QFontMetrics& textMetrics, const QString& badge) {
    const int margin = textMetrics.height() / 2;
    const QRect area = option.rect.adjusted(margin, margin / 2, -margin, -margin / 2);
    const int iconSize = nameMetrics.height() + textMetrics.height();
    RowLayout row;
    row.icon = QRect(area.left(), area.top() + (area.height() - iconSize) / 2, iconSize, iconSize);
    const int textLeft = row.icon.right() + margin;
    const int badgeWidth = badge.isEmpty() ? 0 : textMetrics.horizontalAdvance(badge) + margin;
    row.badge = QRect(area.right() - badgeWidth + 1, area.top(), badgeWidth, nameMetrics.height());
    row.name = QRect(textLeft, area.top(), row.badge.left() - textLeft - (badgeWidth ? margin / 2 : 0),
                     nameMetrics.height());
    row.description = QRect(textLeft, row.name.bottom() + 1, area.right() - textLeft + 1,
                            textMetrics.height());
    return row;
}

}  // namespace

void AppLibraryDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                               const QModelIndex& index) const {
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    opt.icon = QIcon();
    QStyle* style = opt.widget ? opt.widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);

    const bool sample = index.data(AppLibraryModel::SampleRole).toBool();
    const bool broken = !index.data(AppLibraryModel::ErrorRole).toString().isEmpty();
    const QString badge = broken ? tr("Problem") : sample ? tr("Sample") : QString();

    QFont nameFont = opt.font;
    nameFont.setBold(true);
    const QFontMetrics nameMetrics(nameFont);
    const QFontMetrics textMetrics(opt.font);
    const RowLayout row = layoutRow(opt, nameMetrics, textMetrics, badge);

    const bool selected = opt.state & QStyle::State_Selected;
    const QPalette::ColorGroup group = opt.state & QStyle::State_Enabled ? QPalette::Normal : QPalette::Disabled;
    const QColor textColor = opt.palette.color(group, selected ? QPalette::HighlightedText : QPalette::Text);
    QColor dimColor = textColor;
    dimColor.setAlphaF(0.7f);

    painter->save();
    QFont iconFont = opt.font;
    iconFont.setPixelSize(qMax(8, row.icon.height() * 3 / 4));
    painter->setFont(iconFont);
    painter->setPen(textColor);
    painter->drawText(row.icon, Qt::AlignCenter, index.data(AppLibraryModel::IconRole).toString());

    painter->setFont(nameFont);
    painter->drawText(row.name, Qt::AlignLeft | Qt::AlignVCenter,
                      nameMetrics.elidedText(index.data(AppLibraryModel::NameRole).toString(),
                                             Qt::ElideRight, row.name.width()));
    painter->setFont(opt.font);
    painter->setPen(dimColor);
    QString description = index.data(AppLibraryModel::DescriptionRole).toString();
    if (broken) description = index.data(AppLibraryModel::ErrorRole).toString();
    painter->drawText(row.description, Qt::AlignLeft | Qt::AlignVCenter,
                      textMetrics.elidedText(description.simplified(), Qt::ElideRight, row.description.width()));

    // Where the keyboard is: a ring around the current row while the list has the focus.
    if ((opt.state & QStyle::State_HasFocus) && opt.widget && opt.widget->hasFocus()) {
        painter->setRenderHint(QPainter::Antialiasing);
        QPen ring(selected ? opt.palette.color(group, QPalette::HighlightedText) : accentColor(), 2);
        painter->setPen(ring);
        painter->setBrush(Qt::NoBrush);
        const int radius = textMetrics.height() / 3;
        painter->drawRoundedRect(QRectF(opt.rect).adjusted(2, 2, -2, -2), radius, radius);
    }

    if (!badge.isEmpty()) {
        QColor badgeColor = broken ? errorColor() : opt.palette.color(group, QPalette::Mid);
        painter->setRenderHint(QPainter::Antialiasing);
        painter->setPen(Qt::NoPen);
        painter->setBrush(badgeColor);
        const int radius = textMetrics.height() / 3;
        painter->drawRoundedRect(row.badge, radius, radius);
        painter->setPen(broken ? QColor(Qt::white) : opt.palette.color(group, QPalette::Text));
        painter->drawText(row.badge, Qt::AlignCenter, badge);
    }
    painter->restore();
}

QSize AppLibraryDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex&) const {
    QFont nameFont = option.font;
    nameFont.setBold(true);
    const QFontMetrics nameMetrics(nameFont);
    const QFontMetrics textMetrics(option.font);
    const int height = nameMetrics.height() + textMetrics.height() + textMetrics.height();
    return {textMetrics.averageCharWidth() * 30, height};
}

}  // namespace ps::ui
