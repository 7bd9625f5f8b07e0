// The console's dialog: the Basic style's, its title drawn as plain text
// (a title can carry a name someone typed, a speaker's or a site's). Set
// on the style's own header: a header of ours would not stop the style
// from making its own, unused but still taking the title as markup.
import QtQuick
import QtQuick.Controls.Basic

Dialog {
    Component.onCompleted: header.textFormat = Text.PlainText
}
